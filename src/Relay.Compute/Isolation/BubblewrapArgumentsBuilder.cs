using System.Globalization;

namespace Cerver.Relay.Compute.Isolation;

/// <summary>
/// Builds bubblewrap's argument list: only the system folders read-only, fresh <c>/dev</c>,
/// <c>/proc</c> (of the sandbox's own PID namespace) and <c>/tmp</c>, runtimes re-exposed
/// read-only, the workspace writable; its own user (when the daemon is an ordinary user), PID,
/// IPC, UTS, cgroup and (without network) net namespaces; the seccomp filter; and, when the
/// daemon is root, a drop to the sandbox's own unprivileged uid with no capabilities left.
/// </summary>
public sealed class BubblewrapArgumentsBuilder(SandboxBoundary boundary, BubblewrapLaunch launch)
{
    public const string Hostname = "cerver-sandbox";

    public IReadOnlyList<string> Build(string fileName, IEnumerable<string> arguments)
    {
        var args = new List<string> { "--die-with-parent", "--new-session" };
        if (boundary.User is null)
        {
            // The sandbox keeps the daemon's uid inside a namespace of its own, from which it may
            // not make another (a fresh user namespace would hand it capabilities again).
            args.Add("--unshare-user");
            if (launch.DisableUserNamespaces)
            {
                args.Add("--disable-userns");
            }
        }

        args.AddRange(["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]);
        if (!boundary.Network)
        {
            args.Add("--unshare-net");
        }

        args.AddRange(["--hostname", Hostname]);
        AddSystem(args);
        args.AddRange(["--dev", "/dev"]);
        AddTemporary(args, "/dev/shm");
        args.AddRange(["--proc", "/proc"]);
        AddTemporary(args, "/tmp");

        // Shorter paths first, so a hidden folder inside another hidden one is mounted on top.
        foreach (var hidden in boundary.HiddenPaths.Where(launch.System.Covers).Distinct(StringComparer.Ordinal).OrderBy(path => path.Length))
        {
            args.AddRange(["--tmpfs", hidden]);
        }

        var readOnlyPaths = boundary.ReadOnlyPaths.Where(path => !launch.System.Covers(path) && !Uncovers(path) && Path.Exists(path))
            .Distinct(StringComparer.Ordinal).OrderBy(path => path.Length).ToList();

        // bwrap would make the parent folders of a bind owner-only, which a sandbox uid other
        // than the daemon's could not pass through.
        foreach (var parent in readOnlyPaths.Concat(boundary.WritablePaths).Append(boundary.Workspace).SelectMany(Ancestors).Distinct(StringComparer.Ordinal)
            .Where(path => !launch.System.Covers(path)).OrderBy(path => path.Length))
        {
            args.AddRange(["--perms", "0755", "--dir", parent]);
        }

        foreach (var readOnly in readOnlyPaths)
        {
            args.AddRange(["--ro-bind", readOnly, readOnly]);
        }

        foreach (var writable in boundary.WritablePaths.Distinct(StringComparer.Ordinal))
        {
            args.AddRange(["--bind", writable, writable]);
        }

        args.AddRange(["--bind", boundary.Workspace, boundary.Workspace, "--chdir", boundary.WorkingDirectory]);
        if (launch.SeccompDescriptor is { } descriptor)
        {
            args.AddRange(["--seccomp", descriptor.ToString(CultureInfo.InvariantCulture)]);
        }

        args.Add("--");
        if (boundary.User is { } user)
        {
            args.AddRange(DropPrivileges(user));
        }

        args.Add(fileName);
        args.AddRange(arguments);
        return args;
    }

    /// <summary>A runtime root that would show the workspace's parents or a hidden folder (<c>/</c>, a home) is never bound.</summary>
    private bool Uncovers(string path) =>
        path == "/" || boundary.HiddenPaths.Append(boundary.Workspace).Any(inner => inner.StartsWith(path.TrimEnd('/') + "/", StringComparison.Ordinal) || inner == path);

    private static IEnumerable<string> Ancestors(string path)
    {
        for (var parent = Path.GetDirectoryName(path); parent is not null && parent != "/"; parent = Path.GetDirectoryName(parent))
        {
            yield return parent;
        }
    }

    /// <summary>A world-writable, sticky tmpfs, capped where bwrap can (it lives in memory).</summary>
    private void AddTemporary(List<string> args, string path)
    {
        args.AddRange(["--perms", "1777"]);
        if (launch.SizedTemporaryFolders)
        {
            args.AddRange(["--size", boundary.Limits.TemporaryBytes.ToString(CultureInfo.InvariantCulture)]);
        }

        args.AddRange(["--tmpfs", path]);
    }

    private void AddSystem(List<string> args)
    {
        foreach (var folder in launch.System.Folders)
        {
            args.AddRange(folder.LinkTarget is { } target ? ["--symlink", target, folder.Path] : ["--ro-bind", folder.Path, folder.Path]);
        }

        if (boundary.Network)
        {
            foreach (var resolver in launch.NetworkFolders)
            {
                args.AddRange(["--ro-bind-try", resolver, resolver]);
            }
        }
    }

    /// <summary>
    /// setpriv runs inside the namespaces, after bwrap has mounted everything as root, and
    /// becomes the sandbox's uid with every capability gone, from every set, for good.
    /// </summary>
    private IEnumerable<string> DropPrivileges(SandboxUser user)
    {
        var setpriv = launch.SetprivPath ?? throw new InvalidOperationException("A sandbox user needs setpriv to drop to it.");
        return
        [
            setpriv,
            $"--reuid={user.Uid.ToString(CultureInfo.InvariantCulture)}",
            $"--regid={user.Gid.ToString(CultureInfo.InvariantCulture)}",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--no-new-privs",
            "--",
        ];
    }
}

/// <summary>What every bubblewrap launch on this machine shares: the system view, the seccomp descriptor, setpriv.</summary>
public sealed record BubblewrapLaunch(SystemView System, IReadOnlyList<string> NetworkFolders, int? SeccompDescriptor, string? SetprivPath)
{
    /// <summary>Whether this bwrap has <c>--disable-userns</c> (0.8 and later).</summary>
    public bool DisableUserNamespaces { get; init; } = true;

    /// <summary>Whether this bwrap has <c>--size</c> for a tmpfs (0.7 and later).</summary>
    public bool SizedTemporaryFolders { get; init; } = true;
}
