using System.Text.Json.Serialization;

namespace Cerver.Relay.Dashboard;

/// <summary>POST /relay/dashboard/login-links: the one-time link and when it stops working.</summary>
public sealed record LoginLinkResponse(string Url, DateTimeOffset ExpiresAt);

/// <summary>GET /relay/logs: the newest file read and its last lines, oldest first.</summary>
public sealed record LogLinesResponse(string? File, IReadOnlyList<string> Lines);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(LoginLinkResponse))]
[JsonSerializable(typeof(LogLinesResponse))]
public sealed partial class DashboardJsonContext : JsonSerializerContext;
