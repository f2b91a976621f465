using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Cerver.Gateway.Embedded.Sessions.Wire;

namespace Cerver.Relay.Reports;

/// <summary>What a report is: a transcript entry, metadata to merge, or a status.</summary>
public static class OutboxItemKind
{
    public const string Entry = "entry";
    public const string Metadata = "metadata";
    public const string Status = "status";
}

/// <summary>One report waiting for the gateway, as one line of its session's outbox file.</summary>
public sealed record OutboxItem
{
    public required string Kind { get; init; }
    public AppendedEntry? Entry { get; init; }
    public JsonObject? Metadata { get; init; }
    public string? Status { get; init; }
    public string? EndReason { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    // One item, one line: the writer never indents, and escapes every line break inside a string.
    WriteIndented = false)]
[JsonSerializable(typeof(OutboxItem))]
public sealed partial class OutboxJsonContext : JsonSerializerContext;
