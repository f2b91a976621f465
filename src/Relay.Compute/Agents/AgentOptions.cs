namespace Cerver.Relay.Compute.Agents;

/// <summary>The bounds of agent turns on this machine (settings <c>CERVER_AGENT_*</c>).</summary>
public sealed record AgentOptions
{
    /// <summary>A turn running longer is killed with its process tree.</summary>
    public TimeSpan TurnTimeout { get; init; } = TimeSpan.FromMinutes(60);

    /// <summary>A turn that prints nothing for this long is killed: long enough for a model that thinks, short enough that a hung CLI is noticed.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Agent turns running at once on this machine; more wait for a slot.</summary>
    public int MaxConcurrentTurns { get; init; } = 4;

    /// <summary>Live agent sessions at once; a create past it is 429 "Maximum number of agents".</summary>
    public int MaxSessions { get; init; } = 16;

    /// <summary>Extra folders to look for agent CLIs in, before PATH (<c>CERVER_AGENT_PATH</c>).</summary>
    public string? SearchPath { get; init; }

    /// <summary>Longest line of agent output read; the rest of a longer one is dropped.</summary>
    public int MaxLineBytes { get; init; } = 8 * 1024 * 1024;
}
