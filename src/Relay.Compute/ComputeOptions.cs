using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Isolation;

namespace Cerver.Relay.Compute;

/// <summary>How the local compute behaves; validated once at start-up.</summary>
public sealed class ComputeOptions
{
    /// <summary>The relay's state folder (<c>$CERVER_HOME/relay</c>).</summary>
    public string RelayDirectory { get; set; } = "";

    /// <summary>The compute id this machine is known by (<c>cmp_…</c>).</summary>
    public string ComputeId { get; set; } = "cmp_local";

    /// <summary><c>auto</c>, <c>bubblewrap</c>, <c>seatbelt</c> or <c>none</c>.</summary>
    public string Isolation { get; set; } = "auto";

    /// <summary>Folders the sandbox must never see, besides <c>$HOME</c> and <c>CERVER_HOME</c>.</summary>
    public IList<string> HiddenPaths { get; } = [];

    public int MaxSandboxes { get; set; } = 64;

    /// <summary>The bounds of every sandbox (memory, processes, file and workspace size).</summary>
    public ResourceLimits Limits { get; set; } = ResourceLimits.Default;

    public int DefaultSandboxMinutes { get; set; } = 60;

    public int MaxSandboxMinutes { get; set; } = 24 * 60;

    /// <summary>The run timeout of a request that names none; a gateway bounds its wait for a linked relay's run by it.</summary>
    public const double StandardRunTimeoutSeconds = 300;

    /// <summary>No run may ask for longer; a gateway's wait for a linked relay's run is capped by it.</summary>
    public const double LongestRunTimeoutSeconds = 24 * 60 * 60;

    public double DefaultRunTimeoutSeconds { get; set; } = StandardRunTimeoutSeconds;

    public double MaxRunTimeoutSeconds { get; set; } = LongestRunTimeoutSeconds;

    /// <summary>Per-stream output cap of a buffered <c>run</c>; streams are never cut.</summary>
    public int OutputCapBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest file a <c>readFile</c> returns (the request body cap bounds writes).</summary>
    public long MaxFileBytes { get; set; } = 16 * 1024 * 1024;

    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The bounds of agent turns.</summary>
    public AgentOptions Agents { get; set; } = new();

    /// <summary>API-mode variables for agents (<c>relay/agents.env</c>), beside the daemon's environment.</summary>
    public string AgentsEnvPath => Path.Combine(RelayDirectory, "agents.env");

    public string SandboxesDirectory => Path.Combine(RelayDirectory, "sandboxes");

    public string DatabasePath => Path.Combine(RelayDirectory, "relay.db");

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(RelayDirectory) || !Path.IsPathFullyQualified(RelayDirectory))
        {
            throw new InvalidOperationException($"The relay directory must be an absolute path, not '{RelayDirectory}'.");
        }

        if (MaxSandboxes < 1 || DefaultSandboxMinutes < 1 || MaxSandboxMinutes < DefaultSandboxMinutes)
        {
            throw new InvalidOperationException("Sandbox limits must be positive and the maximum lifetime at least the default.");
        }

        if (OutputCapBytes < 1024 || DefaultRunTimeoutSeconds <= 0 || MaxRunTimeoutSeconds < DefaultRunTimeoutSeconds)
        {
            throw new InvalidOperationException("Run limits must be positive and the maximum timeout at least the default.");
        }

        if (Agents.TurnTimeout <= TimeSpan.Zero || Agents.StallTimeout <= TimeSpan.Zero || Agents.MaxConcurrentTurns < 1 || Agents.MaxSessions < 1)
        {
            throw new InvalidOperationException("Agent limits (turn timeout, stall timeout, concurrent turns, sessions) must be positive.");
        }
    }
}
