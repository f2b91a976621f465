using System.CommandLine;
using System.Net.Sockets;
using Cerver.Relay.Configuration;
using Cerver.Relay.Daemon;
using Cerver.Relay.Update;
using Microsoft.Extensions.DependencyInjection;

namespace Cerver.Relay.Cli;

public static class RunCommand
{
    public static Command Create()
    {
        var port = new Option<int?>("--port") { Description = "Port of the local API (default 8790, or CERVER_RELAY_PORT)." };
        var listen = new Option<string?>("--listen") { Description = "Address to listen on (default 127.0.0.1, or CERVER_RELAY_LISTEN)." };
        var offline = new Option<bool>("--offline") { Description = "Serve the local API only; do not contact a gateway." };
        var command = new Command("run", "Run the relay daemon in the foreground (what the service runs).") { port, listen, offline };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!CliSettings.TryLoad(out var settings, new SettingsOverrides(parse.GetValue(port), parse.GetValue(listen), parse.GetValue(offline))))
            {
                return CliOutput.Failed;
            }

            PendingUpdate? handover;
            Updater updater;
            try
            {
                await using var app = DaemonHost.Build(settings);
                // RunAsync disposes the services when the host stops, so take what the hand-over needs first.
                updater = app.Services.GetRequiredService<Updater>();
                var handoff = app.Services.GetRequiredService<UpdateHandoff>();
                await app.RunAsync();
                handover = handoff.Pending;
            }
            catch (IOException exception) when (exception.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || exception.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                return CliOutput.Error($"port {settings.Port} on {settings.Listen} is already in use. Is the relay already running (cerver-relay status)? Otherwise choose another port with --port or CERVER_RELAY_PORT.");
            }
            catch (InvalidOperationException exception)
            {
                return CliOutput.Error(exception.Message);
            }

            return handover is null ? CliOutput.Ok : await ProveUpdateAsync(updater, handover, settings, RunArguments(parse, port, listen, offline));
        });
        return command;
    }

    /// <summary>
    /// The daemon has swapped in a new version and stopped serving: start the new one once to see
    /// it come up (or roll back), then exit so the service manager starts whichever is current.
    /// </summary>
    private static async Task<int> ProveUpdateAsync(Updater updater, PendingUpdate handover, RelaySettings settings, IReadOnlyList<string> arguments)
    {
        var trial = new UpdateTrial(updater, UpdateTrial.DefaultLimit, settings.ShutdownGrace + TimeSpan.FromSeconds(5));
        var (confirmed, failure) = await trial.RunAsync(handover, arguments, environment: null, inheritOutput: true, CancellationToken.None);
        Console.Error.WriteLine(confirmed
            ? $"cerver-relay: updated to {handover.Version}; exiting so the service manager starts it."
            : $"cerver-relay: the update did not take: {failure}; exiting so the service manager starts {handover.Previous}.");
        return CliOutput.Ok;
    }

    private static List<string> RunArguments(ParseResult parse, Option<int?> port, Option<string?> listen, Option<bool> offline)
    {
        var arguments = new List<string> { "run" };
        if (parse.GetValue(port) is { } chosenPort)
        {
            arguments.AddRange(["--port", chosenPort.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        if (parse.GetValue(listen) is { } address)
        {
            arguments.AddRange(["--listen", address]);
        }

        if (parse.GetValue(offline))
        {
            arguments.Add("--offline");
        }

        return arguments;
    }
}
