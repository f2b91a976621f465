using Cerver.Relay.Compute.Contract;

namespace Cerver.Relay.Compute.Packages;

/// <summary>One install result out of its two phases, so a caller sees one run as before.</summary>
public static class InstallResults
{
    public static RunResult Combine(RunResult fetch, RunResult install) => install with
    {
        Stdout = fetch.Stdout + install.Stdout,
        Stderr = fetch.Stderr + install.Stderr,
        DurationMs = fetch.DurationMs + install.DurationMs,
        TimedOut = fetch.TimedOut || install.TimedOut,
        Truncated = fetch.Truncated || install.Truncated,
    };

    public static bool Succeeded(RunResult result) => result.ExitCode == 0 && !result.TimedOut;
}
