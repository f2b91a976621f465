using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cerver.Relay.Configuration;
using Cerver.Relay.Service;

namespace Cerver.Relay.Cli;

public static class ServiceCommand
{
    public static Command Create()
    {
        var command = new Command("service", "Run the relay as a service: a user service (systemd --user on Linux, a LaunchAgent on macOS), or with --system one that starts at boot.");
        command.Subcommands.Add(Verb("install", "Write the service definition, then enable and start it.", (manager, token) => manager.InstallAsync(token)));
        command.Subcommands.Add(Verb("uninstall", "Stop the service and remove its definition (data is kept).", (manager, token) => manager.UninstallAsync(token)));
        command.Subcommands.Add(Verb("start", "Start the installed service.", (manager, token) => manager.StartAsync(token)));
        command.Subcommands.Add(Verb("stop", "Stop the service.", (manager, token) => manager.StopAsync(token)));
        command.Subcommands.Add(Verb("restart", "Restart the service (a new key or an update takes effect).", (manager, token) => manager.RestartAsync(token)));
        command.Subcommands.Add(Status());
        return command;
    }

    private static Option<bool> SystemOption() => new("--system")
    {
        Description = "The system-level service (as root: a systemd system unit or a LaunchDaemon that starts at boot and runs as the user who ran sudo).",
    };

    private static Command Verb(string name, string description, Func<ServiceManager, CancellationToken, Task<ServiceOutcome>> action)
    {
        var system = SystemOption();
        var command = new Command(name, description) { system };
        command.SetAction((parse, cancellationToken) => WithManagerAsync(parse.GetValue(system), async manager =>
        {
            var outcome = await action(manager, cancellationToken);
            if (outcome.Ok)
            {
                Console.WriteLine(outcome.Message);
                return ExitCodes.Ok;
            }

            return CliOutput.Error(outcome.Message);
        }, cancellationToken));
        return command;
    }

    private static Command Status()
    {
        var system = SystemOption();
        var json = new Option<bool>("--json") { Description = "Print the status as JSON (stable for scripts)." };
        var command = new Command("status", "Tell whether the service is installed and running; exits 3 when it is not running.") { system, json };
        command.SetAction((parse, cancellationToken) => WithManagerAsync(parse.GetValue(system), async manager =>
        {
            var status = await manager.StatusAsync(cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(ToJson(status).ToJsonString(CliJson.Options));
            }
            else if (status.Running)
            {
                Console.WriteLine(status.Detail);
            }
            else
            {
                Console.Error.WriteLine($"cerver-relay: {status.Detail}");
            }

            return status.Running ? ExitCodes.Ok : ExitCodes.NotRunning;
        }, cancellationToken));
        return command;
    }

    /// <summary>The stable shape of <c>service status --json</c> (documented in the README).</summary>
    public static JsonObject ToJson(ServiceStatus status) => new()
    {
        ["manager"] = status.Manager,
        ["scope"] = status.Scope == ServiceScope.System ? "system" : "user",
        ["state"] = ServiceStatus.Name(status.State),
        ["running"] = status.Running,
        ["installed"] = status.Installed,
        ["definition_path"] = status.DefinitionPath,
        ["user"] = status.User,
        ["manager_missing"] = status.ManagerMissing,
        ["linger"] = status.Linger,
        ["fallback_command"] = status.FallbackCommand,
        ["detail"] = status.Detail,
    };

    private static async Task<int> WithManagerAsync(bool system, Func<ServiceManager, Task<int>> action, CancellationToken cancellationToken)
    {
        if (!CliSettings.TryLoad(out var settings))
        {
            return ExitCodes.Failed;
        }

        try
        {
            var manager = await ServiceManager.ForThisMachineAsync(settings.Paths, RelaySettingsLoader.ProcessEnvironment(), system, cancellationToken);
            return manager is null
                ? CliOutput.Error($"the service can be installed on Linux (systemd) and macOS (launchd) only; run the relay under your own supervisor: {ServiceFallback.Command(ServiceDefinition.For(settings.Paths))}")
                : await action(manager);
        }
        catch (Exception exception) when (exception is ServiceException or IOException or UnauthorizedAccessException)
        {
            return CliOutput.Error(exception.Message);
        }
    }
}

/// <summary>How the service and doctor verbs print JSON: paths and shell commands as they are, not \u-escaped.</summary>
internal static class CliJson
{
    public static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
