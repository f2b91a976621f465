using System.Net;
using System.Net.Sockets;
using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Isolation;
using Cerver.Relay.Compute.Runtimes;
using Cerver.Relay.Configuration;
using Cerver.Relay.Service;

using Cerver.Relay.Daemon;

namespace Cerver.Relay.Cli;

/// <summary>The checks <c>cerver-relay doctor</c> runs, each independent and each with a fix.</summary>
public static class DoctorChecks
{
    private const long MinimumFreeBytes = 1L << 30;

    public static async Task<IReadOnlyList<DoctorCheck>> RunAllAsync(RelaySettings settings)
    {
        var checks = new List<DoctorCheck> { Isolation(settings) };
        checks.AddRange(await RuntimesAsync());
        checks.AddRange(await AgentsAsync(settings));
        checks.Add(await PortAsync(settings));
        checks.AddRange(await ServiceAsync(settings));
        checks.Add(PrivateFile("token file", settings.Paths.TokenFile, "made at the daemon's first start"));
        checks.Add(PrivateFile("account key", settings.Paths.EnvFile, "not logged in yet (cerver-relay login)"));
        checks.Add(DiskSpace(settings.Paths.CerverHome));
        return checks;
    }

    /// <summary>Each agent CLI as a turn would find it: installed (with its version) and logged in, or what to do.</summary>
    public static async Task<IReadOnlyList<DoctorCheck>> AgentsAsync(RelaySettings settings)
    {
        var services = new AgentServices(AgentHarnesses.BuiltIn(), new AgentCliLocator(settings.Agents.SearchPath),
            new AgentCredentials(Path.Combine(settings.Paths.RelayDirectory, "agents.env")), new Compute.Agents.Turns.AgentTurnSlots(1));
        using var slots = services.Slots;
        var found = await new AgentInventory(services).DetectAsync(CancellationToken.None);
        return [.. found.Select(agent => agent switch
        {
            { Installed: false } => new DoctorCheck($"agent {agent.Name}", Verdict.Warn, "not installed: sessions with this cli_tool end their turn saying so",
                $"install it ({services.Harnesses.Find(agent.Name)!.InstallCommand}), or set CERVER_AGENT_PATH to its folder"),
            { LoggedIn: false } => new DoctorCheck($"agent {agent.Name}", Verdict.Warn, $"{agent.Version ?? "installed"} at {agent.Path}, but not logged in",
                $"log in with the CLI itself as this user, or put its API key in {Path.Combine(settings.Paths.RelayDirectory, "agents.env")}"),
            _ => new DoctorCheck($"agent {agent.Name}", Verdict.Ok, $"{agent.Version ?? "installed"} at {agent.Path}, logged in"),
        })];
    }

    /// <summary>The configured mode and what it gives here; <c>none</c> is always a warning, a machine that can run nothing a failure.</summary>
    public static DoctorCheck Isolation(RelaySettings settings)
    {
        var configured = $"CERVER_ISOLATION={settings.Isolation}";
        if (settings.Isolation == "none")
        {
            return new DoctorCheck("isolation", Verdict.Warn, $"{configured}: sandboxed code runs as you, with your files, keys and network",
                "unset CERVER_ISOLATION (auto) once bubblewrap works here; " + UserNamespaceDiagnosis.InstallFix);
        }

        if (OperatingSystem.IsLinux())
        {
            if (IsolationSelector.TryBubblewrap(settings.Paths.RelayDirectory, out _, out var why))
            {
                var identity = Environment.IsPrivilegedProcess ? "as root: each sandbox drops to its own uid" : "in a user namespace";
                return new DoctorCheck("isolation", Verdict.Ok, $"{configured}: bubblewrap with seccomp, {identity}");
            }

            var problems = UserNamespaceDiagnosis.Problems();
            var fix = why.Contains("not installed", StringComparison.Ordinal) ? UserNamespaceDiagnosis.InstallFix
                : problems.Count > 0 ? string.Join("; ", problems)
                : "see the reason; CERVER_ISOLATION=none runs code unsandboxed (not recommended)";
            return new DoctorCheck("isolation", Verdict.Fail, $"{configured}: no sandbox can be made, so the relay runs nothing: {why}", fix);
        }

        if (OperatingSystem.IsMacOS())
        {
            return IsolationSelector.ProbeSeatbelt(out var why)
                ? new DoctorCheck("isolation", Verdict.Ok, $"{configured}: seatbelt ({SeatbeltBackend.SandboxExecPath})")
                : new DoctorCheck("isolation", Verdict.Fail, why, "sandbox-exec ships with macOS; check that /usr/bin/sandbox-exec exists");
        }

        return new DoctorCheck("isolation", Verdict.Fail, $"{configured}: no sandbox backend on this operating system, so the relay runs nothing",
            "run the relay on Linux or macOS, or set CERVER_ISOLATION=none to run code unsandboxed (not recommended)");
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

    /// <summary>The service manager, linger (systemd user services) and the service's own state.</summary>
    public static async Task<IReadOnlyList<DoctorCheck>> ServiceAsync(RelaySettings settings)
    {
        ServiceManager? manager;
        try
        {
            manager = await ServiceManager.ForThisMachineAsync(settings.Paths, RelaySettingsLoader.ProcessEnvironment(), system: false, CancellationToken.None);
        }
        catch (ServiceException exception)
        {
            return [new DoctorCheck("service", Verdict.Warn, exception.Message)];
        }

        if (manager is null)
        {
            return [new DoctorCheck("service manager", Verdict.Warn, "no supported service manager on this operating system (systemd or launchd)",
                $"keep the relay running with: {ServiceFallback.Command(ServiceDefinition.For(settings.Paths))}")];
        }

        return ServiceChecks(await manager.StatusAsync(CancellationToken.None));
    }

    /// <summary>What a service status means for the relay: only a service that cannot run, or has stopped, blocks.</summary>
    public static IReadOnlyList<DoctorCheck> ServiceChecks(ServiceStatus status)
    {
        var scope = status.Scope == ServiceScope.System ? "system" : "user";
        var checks = new List<DoctorCheck>();
        if (status.ManagerMissing is { } missing)
        {
            checks.Add(new DoctorCheck("service manager", Verdict.Warn, $"none: {missing}; nothing restarts the relay or starts it at boot",
                $"keep it running with: {status.FallbackCommand}"));
            if (status.Installed)
            {
                checks.Add(new DoctorCheck("service", Verdict.Fail, $"{status.DefinitionPath} is installed, but nothing here can run it",
                    $"remove it with 'cerver-relay service uninstall', and keep the relay running with: {status.FallbackCommand}"));
            }

            return checks;
        }

        checks.Add(new DoctorCheck("service manager", Verdict.Ok, $"{status.Manager} ({scope})"));
        if (status.Linger is { } linger)
        {
            checks.Add(linger
                ? new DoctorCheck("linger", Verdict.Ok, $"on for {status.User}: the user service starts at boot and runs without a login")
                : new DoctorCheck("linger", Verdict.Warn, $"off for {status.User}: the user service stops at logout and does not start at boot",
                    $"sudo loginctl enable-linger {ServiceFallback.ShellQuote(status.User)}"));
        }

        var system = status.Scope == ServiceScope.System ? " --system" : "";
        checks.Add(status.State switch
        {
            ServiceState.Running => new DoctorCheck("service", Verdict.Ok, $"running ({status.DefinitionPath})"),
            ServiceState.Stopped => new DoctorCheck("service", Verdict.Fail, status.Detail, $"cerver-relay service restart{system}"),
            _ => new DoctorCheck("service", Verdict.Warn, "not installed: nothing restarts the relay or starts it after a reboot", "cerver-relay service install (or, on a server, sudo cerver-relay service install --system)"),
        });
        return checks;
    }

    public static async Task<DoctorCheck> PortAsync(RelaySettings settings)
    {
        if (DaemonRuntimeFile.Read(settings.Paths) is { } running)
        {
            return new DoctorCheck("port", Verdict.Ok, $"this home's relay (pid {running.Pid}) serves {running.Url}");
        }

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
                    // This home's relay would have named itself in its runtime file: this is another home's.
                    return new DoctorCheck("port", Verdict.Fail, $"{settings.Listen}:{settings.Port} is served by the relay of another CERVER_HOME",
                        "stop that relay, or give this one another port with CERVER_RELAY_PORT");
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
