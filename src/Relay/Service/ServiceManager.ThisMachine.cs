using Cerver.Relay.Configuration;

namespace Cerver.Relay.Service;

public abstract partial class ServiceManager
{
    /// <summary>
    /// systemd on Linux, launchd on macOS; null elsewhere. <paramref name="system"/> asks for the
    /// system-level service; without it the user service is meant, unless only a system service is
    /// installed (then status, start, stop and uninstall act on that one).
    /// </summary>
    public static async Task<ServiceManager?> ForThisMachineAsync(RelayPaths paths, IReadOnlyDictionary<string, string?> environment, bool system, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return null;
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var userDirectory = OperatingSystem.IsLinux()
            ? Path.Combine(environment.GetValueOrDefault("XDG_CONFIG_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg) ? xdg : Path.Combine(home, ".config"), "systemd", "user")
            : Path.Combine(home, "Library", "LaunchAgents");
        var systemDirectory = OperatingSystem.IsLinux() ? SystemdService.SystemUnitDirectory : LaunchAgentService.DaemonDirectory;
        var fileName = OperatingSystem.IsLinux() ? SystemdUnit.FileName : LaunchdPlist.FileName;
        system = system || (!File.Exists(Path.Combine(userDirectory, fileName)) && File.Exists(Path.Combine(systemDirectory, fileName)));

        var definition = ServiceDefinition.For(paths);
        if (system)
        {
            var account = await AccountAsync(environment, cancellationToken);
            // Under sudo, HOME is root's: the relay of the invoking user lives under their home, unless CERVER_HOME says otherwise.
            if (account.Name != Environment.UserName && environment.GetValueOrDefault("CERVER_HOME") is not { Length: > 0 })
            {
                definition = ServiceDefinition.For(new RelayPaths(Path.Combine(account.Home, ".cerver"))) with { IsDefaultHome = true };
            }

            definition = definition with { Account = account };
        }

        var directory = system ? systemDirectory : userDirectory;
        return OperatingSystem.IsLinux() ? new SystemdService(definition, directory) : new LaunchAgentService(definition, directory);
    }

    /// <summary>The invoking user: the one who ran sudo, else whoever runs this. Root only when root asked.</summary>
    private static async Task<ServiceAccount> AccountAsync(IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        var current = Environment.UserName;
        if (!Environment.IsPrivilegedProcess || environment.GetValueOrDefault("SUDO_USER") is not { Length: > 0 } invoking || invoking == current)
        {
            return new ServiceAccount(current, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));
        }

        var (ok, output) = OperatingSystem.IsLinux()
            ? await RunAsync("getent", ["passwd", invoking], cancellationToken)
            : await RunAsync("dscl", [".", "-read", $"/Users/{invoking}", "NFSHomeDirectory"], cancellationToken);
        var home = !ok ? null
            : OperatingSystem.IsLinux() ? output.Trim().Split(':') is { Length: >= 7 } fields ? fields[5] : null
            : output.Split(':', 2) is [_, var value] ? value.Trim() : null;
        return home is { Length: > 0 } && Path.IsPathRooted(home)
            ? new ServiceAccount(invoking, home)
            : throw new ServiceException($"cannot find the home folder of {invoking} (who ran sudo); set CERVER_HOME explicitly: sudo CERVER_HOME=/path/to/.cerver cerver-relay service install --system.");
    }
}
