using System.Text.Json.Serialization;

namespace Cerver.Relay.Daemon;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(RelayIdentity))]
[JsonSerializable(typeof(StatusReport))]
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(DaemonRuntime))]
[JsonSerializable(typeof(Update.ActivateUpdateRequest))]
[JsonSerializable(typeof(Update.ActivateUpdateResponse))]
public sealed partial class RelayJsonContext : JsonSerializerContext;

public sealed record HealthReport(string Status, string Version);
