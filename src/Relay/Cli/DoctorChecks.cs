using System.Net;
using System.Net.Sockets;
using Cerver.Relay.Compute.Isolation;
using Cerver.Relay.Compute.Runtimes;
using Cerver.Relay.Configuration;

namespace Cerver.Relay.Cli;

/// <summary>The checks <c>cerver-relay doctor</c> runs, each independent and each with a fix.</summary>
public static class DoctorChecks
{
    private const long MinimumFreeBytes = 1L << 30;

    public static async Task<IReadOnlyList<DoctorCheck>> RunAllAsync(RelaySettings settings)
    {
        var checks = new List<DoctorCheck> { Isolation(settings) };
        checks.AddRange(await RuntimesAsync());
        checks.Add(await PortAsync(settings));
        checks.Add(PrivateFile("token file", settings.Paths.TokenFile, "made at the daemon's first start"));
        checks.Add(PrivateFile("account key", settings.Paths.EnvFile, "not logged in yet (cerver-relay login)"));
        checks.Add(DiskSpace(settings.Paths.CerverHome));
        return checks;
    }

    public static DoctorCheck Isolation(RelaySettings settings)
    {
        if (OperatingSystem.IsLinux())
        {
            var userNamespaces = File.Exists("/proc/sys/user/max_user_namespaces")
                && File.ReadAllText("/proc/sys/user/max_user_namespaces").Trim() != "0";
            if (IsolationSelector.ProbeBubblewrap(out var path, out var why))
            {
                return new DoctorCheck("isolation", Verdict.Ok, $"bubblewrap ({path}), user namespaces {(userNamespaces ? "enabled" : "disabled (running as root)")}");
            }

            return new DoctorCheck("isolation", settings.Isolation == "none" ? Verdict.Warn : Verdict.Fail,
                $"no sandbox: {why}", "sudo apt-get install bubblewrap (or dnf/pacman install bubblewrap); CERVER_ISOLATION=none runs unsandboxed");
        }

        if (OperatingSystem.IsMacOS())
        {
            return IsolationSelector.ProbeSeatbelt(out var why)
                ? new DoctorCheck("isolation", Verdict.Ok, $"seatbelt ({SeatbeltBackend.SandboxExecPath})")
                : new DoctorCheck("isolation", Verdict.Fail, why, "sandbox-exec ships with macOS; check that /usr/bin/sandbox-exec exists");
        }

        return new DoctorCheck("isolation", Verdict.Warn, "no sandbox backend on this operating system", "run the relay on Linux or macOS for isolated sandboxes");
    }

    public static async Task<IEnumerable<DoctorCheck>> RuntimesAsync()
    {
        var found = await new RuntimeLocator().GetAsync();
        (string Name, string Fix)[] wanted =
        [
            ("sh", "install a POSIX shell"),
            ("node", "install Node.js to run node code (e.g. from your package manager or nvm)"),
            ("python", "install Python 3 to run python code"),
            ("npm", "install npm (it ships with Node.js) for npm package installs"),
            ("uv", "install uv for fast Python package installs (optional; pip works without it)"),
            ("git", "install git"),
        ];
        return wanted.Select(runtime => found.TryGetValue(runtime.Name, out var info)
            ? new DoctorCheck($"runtime {runtime.Name}", Verdict.Ok, $"{(info.Version.Length > 0 ? info.Version + " " : "")}at {info.Executable}")
            : new DoctorCheck($"runtime {runtime.Name}", runtime.Name == "sh" ? Verdict.Fail : Verdict.Warn, "not found on PATH", runtime.Fix));
    }

    public static async Task<DoctorCheck> PortAsync(RelaySettings settings)
    {
        var address = settings.Listen == "localhost" ? IPAddress.Loopback : IPAddress.Parse(settings.Listen.Trim('[', ']'));
        try
        {
            using var listener = new TcpListener(address, settings.Port);
            listener.Start();
            listener.Stop();
            return new DoctorCheck("port", Verdict.Ok, $"{settings.Listen}:{settings.Port} is free for the daemon");
        }
        catch (SocketException)
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
            try
            {
                using var response = await client.GetAsync(new Uri(settings.LocalUrl, "/healthz"));
                if (response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync()).Contains("\"ok\"", StringComparison.Ordinal))
                {
                    return new DoctorCheck("port", Verdict.Ok, $"{settings.Listen}:{settings.Port} is served by a running relay");
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // Something else holds the port; reported below.
            }

            return new DoctorCheck("port", Verdict.Fail, $"{settings.Listen}:{settings.Port} is taken by another program",
                "stop that program, or give the relay another port with CERVER_RELAY_PORT");
        }
    }

    public static DoctorCheck PrivateFile(string name, string path, string whenMissing)
    {
        if (!File.Exists(path))
        {
            return new DoctorCheck(name, Verdict.Ok, $"{path}: {whenMissing}");
        }

        if (OperatingSystem.IsWindows())
        {
            return new DoctorCheck(name, Verdict.Ok, path);
        }

        var mode = File.GetUnixFileMode(path);
        var loose = mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
        return loose == 0
            ? new DoctorCheck(name, Verdict.Ok, $"{path} is private (mode {Octal(mode)})")
            : new DoctorCheck(name, Verdict.Fail, $"{path} is readable by others (mode {Octal(mode)})", $"chmod 600 {path}");
    }

    public static DoctorCheck DiskSpace(string cerverHome)
    {
        var probe = cerverHome;
        while (!Directory.Exists(probe) && Path.GetDirectoryName(probe) is { } parent)
        {
            probe = parent;
        }

        var free = new DriveInfo(probe).AvailableFreeSpace;
        var text = $"{free / (1024 * 1024)} MiB free under {probe}";
        return free switch
        {
            < 100L * 1024 * 1024 => new DoctorCheck("disk space", Verdict.Fail, text, "free some disk space: sandboxes and package installs need room"),
            < MinimumFreeBytes => new DoctorCheck("disk space", Verdict.Warn, text, "package installs may fail with less than 1 GiB free"),
            _ => new DoctorCheck("disk space", Verdict.Ok, text),
        };
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
