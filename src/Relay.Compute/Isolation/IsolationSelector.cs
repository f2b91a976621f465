using Cerver.Relay.Compute.Isolation.Seccomp;
using Cerver.Relay.Compute.Processes;
using Cerver.Relay.Compute.Runtimes;
using Cerver.Relay.Compute.Storage;
using CliWrap;
using CliWrap.Buffered;

namespace Cerver.Relay.Compute.Isolation;

/// <summary>
/// Picks the isolation backend from <c>CERVER_ISOLATION</c>. <c>auto</c> takes the strongest one
/// that works here and fails closed when none does: nothing runs until the user installs what is
/// missing or chooses <c>none</c>. Naming a backend that does not work stops the daemon with the
/// reason. Every candidate is proved by starting a real sandbox through the exact launch chain
/// runs use, so a half-working setup (no user namespaces, no setpriv as root) is found at start.
/// </summary>
public static class IsolationSelector
{
    public static IIsolationBackend Select(string mode, string relayDirectory)
    {
        switch (mode.Trim().ToLowerInvariant())
        {
            case "none":
                return new NoIsolationBackend();
            case "bubblewrap" or "bwrap":
                return TryBubblewrap(relayDirectory, out var bubblewrap, out var why) ? bubblewrap!
                    : throw new InvalidOperationException($"CERVER_ISOLATION=bubblewrap, but bubblewrap does not work here: {why}");
            case "seatbelt":
                return ProbeSeatbelt(out var reason) ? new SeatbeltBackend()
                    : throw new InvalidOperationException($"CERVER_ISOLATION=seatbelt, but sandbox-exec does not work here: {reason}");
            case "auto" or "":
                if (OperatingSystem.IsLinux())
                {
                    return TryBubblewrap(relayDirectory, out var found, out var problem) ? found!
                        : new UnavailableIsolationBackend($"No sandbox can be made on this machine, so the relay runs nothing: {problem}. " +
                            "Run 'cerver-relay doctor' for details; to run code unsandboxed anyway, set CERVER_ISOLATION=none (not recommended).");
                }

                return OperatingSystem.IsMacOS() && ProbeSeatbelt(out _) ? new SeatbeltBackend()
                    : new UnavailableIsolationBackend("No sandbox backend works on this operating system, so the relay runs nothing; " +
                        "set CERVER_ISOLATION=none to run code unsandboxed anyway (not recommended).");
            default:
                throw new InvalidOperationException($"CERVER_ISOLATION must be auto, bubblewrap, seatbelt or none, not '{mode}'.");
        }
    }

    /// <summary>Whether a real bubblewrap sandbox starts here; <paramref name="why"/> names the fix when not.</summary>
    public static bool TryBubblewrap(string relayDirectory, out IIsolationBackend? backend, out string why)
    {
        backend = null;
        if (!OperatingSystem.IsLinux())
        {
            why = "bubblewrap exists only on Linux";
            return false;
        }

        var bwrap = ExecutableSearch.Find("bwrap");
        if (bwrap is null)
        {
            why = $"bwrap is not installed ({UserNamespaceDiagnosis.InstallFix})";
            return false;
        }

        var table = SyscallTable.ForCurrentProcess();
        var shell = ExecutableSearch.Find("/bin/sh");
        if (table is null || shell is null)
        {
            why = table is null ? "the relay has no seccomp filter for this processor architecture" : "/bin/sh is missing";
            return false;
        }

        var runsAsRoot = Environment.IsPrivilegedProcess;
        var setpriv = ExecutableSearch.Find("setpriv");
        if (runsAsRoot && setpriv is null)
        {
            why = "the daemon runs as root and sandboxes must not, but setpriv (util-linux) is missing to drop to their own uid: " +
                "install util-linux, or run the relay as an ordinary user";
            return false;
        }

        var version = BubblewrapVersion(bwrap);
        if (version is null || version < MinimumBubblewrap)
        {
            why = $"bubblewrap {version?.ToString() ?? "of an unknown version"} is too old; {MinimumBubblewrap} or newer is needed ({UserNamespaceDiagnosis.InstallFix})";
            return false;
        }

        var isolationDirectory = Path.Combine(relayDirectory, "isolation");
        FilePermissions.CreatePrivateDirectory(isolationDirectory);
        var seccompFile = WriteSeccompFilter(isolationDirectory, table);
        var launch = new BubblewrapLaunch(SystemView.Detect(), SystemView.ExistingNetworkFolders(), BubblewrapBackend.SeccompDescriptor, setpriv)
        {
            DisableUserNamespaces = version >= DisableUserNamespacesSince,
            SizedTemporaryFolders = version >= SizedTemporaryFoldersSince,
        };
        var candidate = new BubblewrapBackend(bwrap, shell, seccompFile, launch, runsAsRoot);
        why = Probe(candidate, isolationDirectory);
        if (why.Length > 0)
        {
            return false;
        }

        backend = candidate;
        return true;
    }

    /// <summary><c>--perms</c> for tmpfs and folders, which a sandbox uid other than the daemon's needs.</summary>
    public static readonly Version MinimumBubblewrap = new(0, 5, 0);

    /// <summary>
    /// <c>--disable-userns</c>; older versions still run, since the seccomp filter refuses new
    /// user namespaces either way.
    /// </summary>
    public static readonly Version DisableUserNamespacesSince = new(0, 8, 0);

    /// <summary><c>--size</c> for a tmpfs; before it, a sandbox's <c>/tmp</c> is bounded only by memory.</summary>
    public static readonly Version SizedTemporaryFoldersSince = new(0, 7, 0);

    public static bool ProbeSeatbelt(out string why)
    {
        var ok = OperatingSystem.IsMacOS() && File.Exists(SeatbeltBackend.SandboxExecPath);
        why = ok ? "" : $"{SeatbeltBackend.SandboxExecPath} exists only on macOS";
        return ok;
    }

    /// <summary>
    /// Replaces the compiled filter atomically: a launch reading it while another daemon or
    /// <c>doctor</c> writes it must never load half a program.
    /// </summary>
    private static string WriteSeccompFilter(string isolationDirectory, SyscallTable table)
    {
        var path = Path.Combine(isolationDirectory, "seccomp.bpf");
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temporary, SeccompFilter.Build(table));
        FilePermissions.RestrictToOwner(temporary);
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    /// <summary>The version <c>bwrap --version</c> prints ("bubblewrap 0.8.0"), or null.</summary>
    private static Version? BubblewrapVersion(string bwrap)
    {
        var result = Cli.Wrap(bwrap).WithArguments(["--version"]).WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync().Task.GetAwaiter().GetResult();
        var words = result.StandardOutput.Trim().Split(' ');
        return result.ExitCode == 0 && words.Length == 2 && Version.TryParse(words[1], out var version) ? version : null;
    }

    /// <summary>Starts <c>true</c> in a throw-away sandbox; an empty string when it ran.</summary>
    private static string Probe(BubblewrapBackend backend, string isolationDirectory)
    {
        var workspace = Path.Combine(isolationDirectory, "probe");
        FilePermissions.CreatePrivateDirectory(workspace);
        try
        {
            const string probeId = "sbx_probe";
            if (backend.UserFor(probeId) is { } user)
            {
                SandboxOwnership.Give(workspace, user);
            }

            var spec = backend.Wrap(
                new ProcessSpec("/bin/sh", ["-c", "true"], workspace, System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty.Add("PATH", "/usr/bin:/bin")),
                new SandboxBoundary(workspace, workspace, "/tmp", false, [], []) { User = backend.UserFor(probeId) });
            var result = Cli.Wrap(spec.FileName).WithArguments(spec.Arguments).WithWorkingDirectory(workspace)
                .WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync().Task.GetAwaiter().GetResult();
            if (result.ExitCode == 0)
            {
                return "";
            }

            var problems = UserNamespaceDiagnosis.Problems();
            return $"bwrap failed ({result.StandardError.Trim()})" + (problems.Count > 0 ? "; " + string.Join("; ", problems) : "");
        }
        finally
        {
            Directory.Delete(workspace, recursive: true);
        }
    }
}
