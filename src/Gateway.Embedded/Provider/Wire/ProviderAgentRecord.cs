using System.Text.Json.Nodes;

namespace Cerver.Gateway.Embedded.Provider.Wire;

/// <summary>
/// What a provider sandbox's agent is, kept next to its workspace (<c>&lt;id&gt;.agent/provider.json</c>)
/// so it outlives a restart of the relay and goes with the sandbox: the CLI and its choices, the
/// Cerver session it reports to and what it last reported, and the CLI's own thread to resume.
/// </summary>
public sealed record ProviderAgentRecord
{
    public required string Harness { get; init; }
    public string? Model { get; init; }
    public string? AgentsMd { get; init; }
    public Dictionary<string, string>? Env { get; init; }
    public string? CerverSessionId { get; init; }
    public string? CliSessionId { get; init; }
    public long? TimeoutMs { get; init; }

    /// <summary>The Cerver session ends with the first turn (<c>metadata.complete_on_exit</c>): its status is then completed or failed, not idle.</summary>
    public bool CompleteOnExit { get; init; }

    /// <summary>The metadata last reported to the Cerver session, so its usage totals add up over turns and restarts.</summary>
    public JsonObject? Reported { get; init; }

    /// <summary>When the turn now running started; a record that still has it at start-up is a turn a relay that died cut.</summary>
    public DateTimeOffset? TurnStartedAt { get; init; }
}
