namespace Cerver.Relay.Compute.Limits;

/// <summary>
/// Whether the daemon may create child cgroups with the memory and pids controllers: cgroup
/// v2 mounted, and the daemon's own cgroup delegated to it (a systemd unit with
/// <c>Delegate=yes</c>). Status reports the answer so an operator can see why limits are rlimits.
/// </summary>
public sealed partial record CgroupDelegation(bool Available, string Detail)
{
    private static readonly string[] RequiredControllers = ["memory", "pids"];

    public static CgroupDelegation Detect(string cgroupRoot = "/sys/fs/cgroup", string selfCgroupFile = "/proc/self/cgroup")
    {
        if (!OperatingSystem.IsLinux())
        {
            return new(false, "cgroups exist only on Linux");
        }

        if (!File.Exists(Path.Combine(cgroupRoot, "cgroup.controllers")))
        {
            return new(false, "cgroup v2 is not mounted at /sys/fs/cgroup (v1 or hybrid hierarchy)");
        }

        var line = File.ReadLines(selfCgroupFile).FirstOrDefault(entry => entry.StartsWith("0::", StringComparison.Ordinal));
        if (line is null)
        {
            return new(false, "the daemon is in no cgroup v2 group");
        }

        var own = Path.Join(cgroupRoot, line[3..]);
        var controllers = File.ReadAllText(Path.Combine(own, "cgroup.controllers")).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var missing = RequiredControllers.Except(controllers).ToList();
        if (missing.Count > 0)
        {
            return new(false, $"the controllers {string.Join(", ", missing)} are not delegated to {own} (run as a systemd service with Delegate=yes)");
        }

        return Writable(Path.Combine(own, "cgroup.subtree_control")) && Writable(own)
            ? new(true, $"delegated: {own}")
            : new(false, $"{own} is not writable by the daemon (run as a systemd service with Delegate=yes)");
    }

    private static bool Writable(string path) => Access(path, 2) == 0;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "access", SetLastError = true, StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    private static partial int Access(string path, int mode);
}
