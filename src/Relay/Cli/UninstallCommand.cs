using System.CommandLine;
using System.Diagnostics;
using Cerver.Relay.Configuration;
using Cerver.Relay.Daemon;
using Cerver.Relay.Service;

namespace Cerver.Relay.Cli;

/// <summary><c>cerver-relay uninstall</c>: the service, the binaries, the extracted native library and (unless kept) the data.</summary>
public static class UninstallCommand
{
    private static readonly string[] Profiles = [".bashrc", ".bash_profile", ".profile", ".zshrc", ".zprofile", ".config/fish/config.fish"];

    public static Command Create()
    {
        var keepData = new Option<bool>("--keep-data") { Description = "Keep CERVER_HOME's data (relay/, cerver.env); remove only the service and the binaries." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation (required without a terminal)." };
        var command = new Command("uninstall", "Remove the service, the binaries, the extracted native library and, unless --keep-data, CERVER_HOME.") { keepData, yes };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(keepData), parse.GetValue(yes), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(bool keepData, bool yes, CancellationToken cancellationToken)
    {
        if (!CliSettings.TryLoad(out var settings))
        {
            return ExitCodes.Failed;
        }

        var environment = RelaySettingsLoader.ProcessEnvironment();
        if (Environment.IsPrivilegedProcess && environment.GetValueOrDefault("SUDO_USER") is { Length: > 0 } invoking && invoking != "root")
        {
            return CliOutput.Error($"run uninstall as {invoking}, without sudo: under sudo it would look at root's files. A system service is removed with 'sudo {ServiceFallback.ShellQuote(ServiceDefinition.For(settings.Paths).Executable)} service uninstall --system'.");
        }

        try
        {
            var home = environment.GetValueOrDefault("HOME") is { Length: > 0 } set ? set : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            var plan = UninstallPlan.Make(settings.Paths.CerverHome, home, environment.GetValueOrDefault("DOTNET_BUNDLE_EXTRACT_BASE_DIR"), keepData);
            var services = await ServicesAsync(settings.Paths, environment, cancellationToken);
            if (services.FirstOrDefault(service => service.Scope == ServiceScope.System) is { } system && !Environment.IsPrivilegedProcess)
            {
                return CliOutput.Error($"a system service runs this relay ({system.DefinitionPath}); remove it first with 'sudo {ServiceFallback.ShellQuote(ServiceDefinition.For(settings.Paths).Executable)} service uninstall --system', then run uninstall again. Nothing was removed.");
            }

            var removing = services.Select(service => $"{service.DefinitionPath} (the {(service.Scope == ServiceScope.System ? "system" : "user")} service)").Concat(plan.Existing()).ToList();
            if (removing.Count == 0)
            {
                Console.WriteLine($"Nothing of cerver-relay is installed for CERVER_HOME {plan.CerverHome}.");
                PrintPath(settings.Paths.BinDirectory, home);
                return ExitCodes.Ok;
            }

            if (!yes && !Confirm(removing, keepData, plan.CerverHome))
            {
                return Console.IsInputRedirected ? ExitCodes.Usage : ExitCodes.Failed;
            }

            var failed = false;
            foreach (var service in services)
            {
                var outcome = await service.UninstallAsync(cancellationToken);
                failed |= !outcome.Ok;
                (outcome.Ok ? Console.Out : Console.Error).WriteLine(outcome.Message);
            }

            // A relay started by hand (not by a service) would go on running from deleted files.
            failed |= !await StopHandStartedDaemonAsync(settings);
            var left = plan.Apply();
            foreach (var path in removing.Skip(services.Count))
            {
                Console.WriteLine($"Removed {path}");
            }

            if (keepData)
            {
                Console.WriteLine($"Kept the data in {plan.CerverHome} (relay/, cerver.env); remove it with: rm -rf {ServiceFallback.ShellQuote(plan.CerverHome)}");
            }
            else if (left.Count > 0)
            {
                Console.WriteLine($"Left in {plan.CerverHome}, as not the relay's: {string.Join(", ", left.Select(Path.GetFileName))}");
            }

            PrintPath(settings.Paths.BinDirectory, home);
            return failed ? ExitCodes.Failed : ExitCodes.Ok;
        }
        catch (Exception exception) when (exception is ServiceException or IOException or UnauthorizedAccessException)
        {
            return CliOutput.Error(exception.Message);
        }
    }

    /// <summary>Stops the daemon <c>relay/daemon.json</c> names, if one still runs for this home; false when it could not.</summary>
    private static async Task<bool> StopHandStartedDaemonAsync(RelaySettings settings)
    {
        if (DaemonRuntimeFile.Read(settings.Paths) is not { } running || running.Pid == Environment.ProcessId)
        {
            return true;
        }

        try
        {
            using var process = Process.GetProcessById(running.Pid);
            await DaemonStop.StopAsync(process, settings.ShutdownGrace + TimeSpan.FromSeconds(5));
            Console.WriteLine($"Stopped the relay that was still running (pid {running.Pid}, {running.Url}).");
            return true;
        }
        catch (ArgumentException)
        {
            // It ended between the file's read and now.
            return true;
        }
        catch (Exception exception) when (exception is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            Console.Error.WriteLine($"cerver-relay: the relay still running for this home (pid {running.Pid}) could not be stopped ({exception.Message}); stop it with 'kill {running.Pid}'.");
            return false;
        }
    }

    /// <summary>The installed services (user and system) that run this CERVER_HOME; one for another home is not this uninstall's.</summary>
    private static async Task<List<ServiceManager>> ServicesAsync(RelayPaths paths, IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        var found = new List<ServiceManager>();
        foreach (var system in new[] { false, true })
        {
            ServiceManager? manager;
            try
            {
                manager = await ServiceManager.ForThisMachineAsync(paths, environment, system, cancellationToken);
            }
            catch (ServiceException)
            {
                continue;
            }

            if (manager is not null && manager.IsInstalled && found.All(other => other.DefinitionPath != manager.DefinitionPath)
                && (await File.ReadAllTextAsync(manager.DefinitionPath, cancellationToken)).Contains(paths.CerverHome, StringComparison.Ordinal))
            {
                found.Add(manager);
            }
        }

        return found;
    }

    private static bool Confirm(IReadOnlyList<string> removing, bool keepData, string cerverHome)
    {
        var what = string.Join("\n", removing.Select(path => "  " + path));
        if (Console.IsInputRedirected)
        {
            CliOutput.Error($"uninstall would remove:\n{what}\nThere is no terminal to ask on: run again with --yes to confirm. Nothing was removed.");
            return false;
        }

        Console.WriteLine($"This removes:\n{what}{(keepData ? $"\nand keeps the data in {cerverHome}." : "")}");
        Console.Write("Remove them? [y/N] ");
        var answer = Console.ReadLine()?.Trim();
        if (answer is "y" or "Y" or "yes" or "YES" or "Yes")
        {
            return true;
        }

        Console.WriteLine("Nothing was removed.");
        return false;
    }

    /// <summary>Names the shell start-up files that put bin/ on PATH, or says where to look.</summary>
    private static void PrintPath(string bin, string home)
    {
        var files = Profiles.Select(profile => Path.Combine(home, profile))
            .Where(file => File.Exists(file) && File.ReadAllText(file).Contains(bin, StringComparison.Ordinal)).ToList();
        Console.WriteLine(files.Count > 0
            ? $"Remove {bin} from PATH: delete the line that adds it in {string.Join(" and ", files)}, then open a new terminal."
            : $"If you added {bin} to PATH (in ~/.bashrc, ~/.zshrc or fish_add_path), remove it there.");
    }
}
