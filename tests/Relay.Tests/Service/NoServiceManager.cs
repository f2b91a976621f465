namespace Cerver.Relay.Tests.Service;

/// <summary>
/// An environment in which no systemd user manager can be reached, whatever the machine: a runtime
/// folder with no manager's socket in it and a session bus that does not exist. On a machine without
/// systemd (a container) that holds anyway; on one with systemd it is what su, sudo or a bare SSH
/// session see. Root or not, the relay's service verbs meet the same missing manager.
/// </summary>
public static class NoServiceManager
{
    public static Dictionary<string, string> Environment(string scratch, string home)
    {
        var runtime = Path.Combine(scratch, "runtime");
        Directory.CreateDirectory(runtime, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new Dictionary<string, string>
        {
            ["HOME"] = home,
            ["XDG_CONFIG_HOME"] = Path.Combine(scratch, "xdg"),
            ["XDG_RUNTIME_DIR"] = runtime,
            ["DBUS_SESSION_BUS_ADDRESS"] = $"unix:path={Path.Combine(runtime, "no-bus")}",
        };
    }

    /// <summary>The first half of the one fallback message, in either of its two forms.</summary>
    public static void AssertMissing(string output)
    {
        Assert.Contains("no service manager can keep the relay running here: ", output, StringComparison.Ordinal);
        Assert.True(output.Contains("systemd is not running on this machine", StringComparison.Ordinal) || output.Contains("no systemd user manager runs for", StringComparison.Ordinal), output);
    }
}
