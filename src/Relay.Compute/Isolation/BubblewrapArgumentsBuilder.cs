namespace Cerver.Relay.Compute.Isolation;

/// <summary>
/// Builds bubblewrap's argument list: the system read-only, fresh <c>/dev</c>, <c>/proc</c> and
/// <c>/tmp</c>, hidden folders replaced by empty ones, toolchains re-exposed read-only, the
/// workspace writable, and its own PID, IPC, UTS and (without network) net namespaces.
/// </summary>
public sealed class BubblewrapArgumentsBuilder(SandboxBoundary boundary)
{
    public const string Hostname = "cerver-sandbox";

    public IReadOnlyList<string> Build(string fileName, IEnumerable<string> arguments)
    {
        var args = new List<string>
        {
            "--die-with-parent",
            "--new-session",
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts",
            "--unshare-cgroup-try",
        };
        if (!boundary.Network)
        {
            args.Add("--unshare-net");
        }

        args.AddRange(["--hostname", Hostname, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]);

        // Shorter paths first, so a hidden folder inside another hidden one is mounted on top.
        foreach (var hidden in boundary.HiddenPaths.Distinct(StringComparer.Ordinal).OrderBy(path => path.Length))
        {
            args.AddRange(["--tmpfs", hidden]);
        }

        foreach (var readOnly in boundary.ReadOnlyPaths.Distinct(StringComparer.Ordinal).OrderBy(path => path.Length))
        {
            args.AddRange(["--ro-bind-try", readOnly, readOnly]);
        }

        foreach (var writable in boundary.WritablePaths.Distinct(StringComparer.Ordinal))
        {
            args.AddRange(["--bind", writable, writable]);
        }

        args.AddRange(["--bind", boundary.Workspace, boundary.Workspace, "--chdir", boundary.WorkingDirectory, "--", fileName]);
        args.AddRange(arguments);
        return args;
    }
}
