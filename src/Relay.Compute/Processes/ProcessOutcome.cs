namespace Cerver.Relay.Compute.Processes;

/// <summary>How a process ended: its exit code (128 + signal when killed), its run time, and whether the timeout killed it.</summary>
public sealed record ProcessOutcome(int ExitCode, TimeSpan Duration, bool TimedOut)
{
    /// <summary>What a run killed by SIGKILL reports, as a shell would.</summary>
    public const int KilledExitCode = 128 + 9;

    /// <summary>Set when the daemon stopped the run for passing a limit: the line its stderr ends with.</summary>
    public string? StopReason { get; init; }
}
