using Cerver.Relay.Compute.Runtimes;
using CliWrap;
using CliWrap.Buffered;

namespace Cerver.Relay.Compute.Isolation;

/// <summary>
/// Picks the isolation backend from <c>CERVER_ISOLATION</c>: <c>auto</c> takes the strongest
/// one that works here; naming one that does not work is an error at start-up, never a
/// silent downgrade.
/// </summary>
public static class IsolationSelector
{
    public static IIsolationBackend Select(string mode)
    {
        switch (mode.Trim().ToLowerInvariant())
        {
            case "none":
                return new NoIsolationBackend();
            case "bubblewrap" or "bwrap":
                return ProbeBubblewrap(out var bwrap, out var why) ? new BubblewrapBackend(bwrap!)
                    : throw new InvalidOperationException($"CERVER_ISOLATION=bubblewrap, but bubblewrap does not work here: {why}");
            case "seatbelt":
                return ProbeSeatbelt(out var reason) ? new SeatbeltBackend()
                    : throw new InvalidOperationException($"CERVER_ISOLATION=seatbelt, but sandbox-exec does not work here: {reason}");
            case "auto" or "":
                if (OperatingSystem.IsLinux() && ProbeBubblewrap(out var found, out _))
                {
                    return new BubblewrapBackend(found!);
                }

                return OperatingSystem.IsMacOS() && ProbeSeatbelt(out _) ? new SeatbeltBackend() : new NoIsolationBackend();
            default:
                throw new InvalidOperationException($"CERVER_ISOLATION must be auto, bubblewrap, seatbelt or none, not '{mode}'.");
        }
    }

    /// <summary>Whether bubblewrap is installed and can create namespaces (user namespaces may be disabled).</summary>
    public static bool ProbeBubblewrap(out string? path, out string why)
    {
        path = OperatingSystem.IsLinux() ? ExecutableSearch.Find("bwrap") : null;
        if (path is null)
        {
            why = OperatingSystem.IsLinux() ? "bwrap is not installed (install the 'bubblewrap' package)" : "bubblewrap exists only on Linux";
            return false;
        }

        var result = Cli.Wrap(path)
            .WithArguments(["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-net", "--die-with-parent", "--new-session", "true"])
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync().Task.GetAwaiter().GetResult();
        why = result.ExitCode == 0 ? "" : $"bwrap failed ({result.StandardError.Trim()}); user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone=1, or an AppArmor profile for bwrap)";
        return result.ExitCode == 0;
    }

    public static bool ProbeSeatbelt(out string why)
    {
        var ok = OperatingSystem.IsMacOS() && File.Exists(SeatbeltBackend.SandboxExecPath);
        why = ok ? "" : $"{SeatbeltBackend.SandboxExecPath} exists only on macOS";
        return ok;
    }
}
