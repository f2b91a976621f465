using System.CommandLine;
using System.Net.Sockets;
using Cerver.Relay.Configuration;
using Cerver.Relay.Daemon;

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

            try
            {
                await using var app = DaemonHost.Build(settings);
                await app.RunAsync();
                return CliOutput.Ok;
            }
            catch (IOException exception) when (exception.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || exception.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                return CliOutput.Error($"port {settings.Port} on {settings.Listen} is already in use. Is the relay already running (cerver-relay status)? Otherwise choose another port with --port or CERVER_RELAY_PORT.");
            }
            catch (InvalidOperationException exception)
            {
                return CliOutput.Error(exception.Message);
            }
        });
        return command;
    }
}
