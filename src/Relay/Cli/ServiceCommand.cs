using System.CommandLine;
using Cerver.Relay.Configuration;
using Cerver.Relay.Service;

namespace Cerver.Relay.Cli;

public static class ServiceCommand
{
    public static Command Create()
    {
        var command = new Command("service", "Run the relay as a user service (systemd on Linux, launchd on macOS).");
        command.Subcommands.Add(Verb("install", "Write the service definition, then enable and start it.", (manager, token) => manager.InstallAsync(token)));
        command.Subcommands.Add(Verb("uninstall", "Stop the service and remove its definition (data is kept).", (manager, token) => manager.UninstallAsync(token)));
        command.Subcommands.Add(Verb("start", "Start the installed service.", (manager, token) => manager.StartAsync(token)));
        command.Subcommands.Add(Verb("stop", "Stop the service.", (manager, token) => manager.StopAsync(token)));
        command.Subcommands.Add(Verb("status", "Tell whether the service is installed and running; exits 3 when it is not running.", (manager, token) => manager.StatusAsync(token), failureCode: CliOutput.NotRunning));
        return command;
    }

    private static Command Verb(string name, string description, Func<ServiceManager, CancellationToken, Task<ServiceOutcome>> action, int failureCode = CliOutput.Failed)
    {
        var command = new Command(name, description);
        command.SetAction(async (_, cancellationToken) =>
        {
            if (!CliSettings.TryLoad(out var settings))
            {
                return CliOutput.Failed;
            }

            var manager = ServiceManager.ForThisMachine(ServiceDefinition.For(settings.Paths), RelaySettingsLoader.ProcessEnvironment());
            if (manager is null)
            {
                return CliOutput.Error("the service can be installed on Linux (systemd) and macOS (launchd) only; run 'cerver-relay run' under your own supervisor instead.");
            }

            try
            {
                var outcome = await action(manager, cancellationToken);
                if (outcome.Ok)
                {
                    Console.WriteLine(outcome.Message);
                    return CliOutput.Ok;
                }

                Console.Error.WriteLine($"cerver-relay: {outcome.Message}");
                return failureCode;
            }
            catch (Exception exception) when (exception is ServiceException or IOException or UnauthorizedAccessException)
            {
                return CliOutput.Error(exception.Message);
            }
        });
        return command;
    }
}
