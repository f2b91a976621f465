using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Cerver.Relay.Compute.Isolation;
using Cerver.Relay.Configuration;
using Cerver.Relay.Daemon;
using Cerver.Relay.Update;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cerver.Relay.Cli;

public static class RunCommand
{
    public static Command Create()
    {
        var port = new Option<int?>("--port")
        {
            Description = "Port of the local API (default 8790, or CERVER_RELAY_PORT; 0 picks a free one).",
            CustomParser = ParsePort,
        };
        var listen = new Option<string?>("--listen") { Description = "Address to listen on (default 127.0.0.1, or CERVER_RELAY_LISTEN)." };
        var offline = new Option<bool>("--offline") { Description = "Serve the local API only; do not contact a gateway." };
        var command = new Command("run", "Run the relay daemon in the foreground (what the service runs).") { port, listen, offline };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = CliSettings.Load(new SettingsOverrides(parse.GetValue(port), parse.GetValue(listen), parse.GetValue(offline)));

            PendingUpdate? handover;
            Updater updater;
            // Before anything else in the home is touched (the start-up clean-up kills processes left
            // by a crashed daemon: never those of a daemon that is alive).
            using (TakeHome(settings))
            {
                CheckPortIsFree(settings);
                try
                {
                    await using var app = DaemonHost.Build(settings);
                    CheckIsolation(app);
                    // The host is disposed when this block ends, so take what the hand-over needs first.
                    updater = app.Services.GetRequiredService<Updater>();
                    var handoff = app.Services.GetRequiredService<UpdateHandoff>();
                    await app.StartAsync(CancellationToken.None);
                    try
                    {
                        var state = app.Services.GetRequiredService<DaemonState>();
                        DaemonRuntimeFile.Write(settings.Paths, new DaemonRuntime((state.Url ?? settings.LocalUrl).ToString().TrimEnd('/'), Environment.ProcessId, RelayVersion.Current, state.StartedAt));
                        await app.WaitForShutdownAsync(CancellationToken.None);
                    }
                    finally
                    {
                        DaemonRuntimeFile.Remove(settings.Paths);
                    }

                    handover = handoff.Pending;
                }
                catch (IOException exception) when (IsAddressInUse(exception))
                {
                    throw PortInUse(settings, exception);
                }
                catch (InvalidOperationException exception)
                {
                    throw new CliExitException(exception.Message, ExitCodes.Failed, exception);
                }
                catch (UnauthorizedAccessException exception)
                {
                    throw new CliExitException($"cannot use {settings.Paths.CerverHome}: {exception.Message.TrimEnd('.')}; the relay needs to own CERVER_HOME and what is in it.", ExitCodes.Configuration, exception);
                }
            }

            // The lock is released: the version on trial takes it as any daemon does.
            return handover is null ? ExitCodes.Ok : await ProveUpdateAsync(updater, handover, settings, RunArguments(parse, port, listen, offline));
        });
        return command;
    }

    private static int? ParsePort(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 65535)
        {
            return value;
        }

        result.AddError($"--port must be a port number from 0 to 65535, not '{text}'");
        return null;
    }

    private static HomeLock TakeHome(RelaySettings settings)
    {
        try
        {
            return HomeLock.TryTake(settings.Paths) ?? throw HomeInUse(settings);
        }
        catch (Exception exception) when (exception is UnauthorizedAccessException or IOException)
        {
            throw new CliExitException($"cannot use {settings.Paths.CerverHome} ({exception.Message.TrimEnd('.')}); the relay needs to own CERVER_HOME and what is in it.", ExitCodes.Configuration, exception);
        }
    }

    private static CliExitException HomeInUse(RelaySettings settings)
    {
        var holder = DaemonRuntimeFile.Read(settings.Paths);
        var who = holder is null ? "another cerver-relay daemon (still starting)" : $"another cerver-relay daemon (pid {holder.Pid}, {holder.Url}, version {holder.Version})";
        return new CliExitException(
            $"{who} already runs on CERVER_HOME {settings.Paths.CerverHome}; use that one ('cerver-relay status'), stop it first, or give this one its own CERVER_HOME.",
            ExitCodes.HomeInUse);
    }

    /// <summary>
    /// Binds the port once before the daemon is built, so a port taken by another program is one
    /// sentence and nothing starts (no clean-up, no registration, no stack trace in a log).
    /// </summary>
    private static void CheckPortIsFree(RelaySettings settings)
    {
        if (settings.Port == 0)
        {
            return;
        }

        try
        {
            var address = DaemonHost.ListenAddress(settings.Listen);
            using var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(address, settings.Port));
            listener.Listen();
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw PortInUse(settings, exception);
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.AddressNotAvailable)
        {
            throw new CliExitException($"cannot listen on {settings.Listen}: no network interface of this machine has that address; choose another with --listen or CERVER_RELAY_LISTEN.", ExitCodes.Configuration, exception);
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.AccessDenied)
        {
            throw new CliExitException($"not allowed to listen on port {settings.Port} (ports below 1024 need privileges); choose a port from 1024 up with --port or CERVER_RELAY_PORT.", ExitCodes.Configuration, exception);
        }
    }

    private static CliExitException PortInUse(RelaySettings settings, Exception exception) => new(
        $"port {settings.Port} on {settings.Listen} is already used by another program (no relay of this CERVER_HOME runs); choose another port with --port or CERVER_RELAY_PORT, or stop that program.",
        ExitCodes.PortInUse,
        exception);

    private static bool IsAddressInUse(IOException exception) =>
        exception.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
        || exception.GetType().Name == "AddressInUseException"
        || exception.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase);

    /// <summary>Picks the isolation backend before the host starts, so a CERVER_ISOLATION that does not work here is one sentence, not a failed start logged with its stack.</summary>
    private static void CheckIsolation(WebApplication app)
    {
        try
        {
            app.Services.GetRequiredService<IIsolationBackend>();
        }
        catch (InvalidOperationException exception)
        {
            throw new CliExitException(
                $"{exception.Message.TrimEnd('.')}. Fix that, or set CERVER_ISOLATION=auto (runs nothing until a sandbox works) or none (runs code unsandboxed, not recommended).",
                ExitCodes.IsolationUnavailable,
                exception);
        }
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
        return ExitCodes.Ok;
    }

    private static List<string> RunArguments(ParseResult parse, Option<int?> port, Option<string?> listen, Option<bool> offline)
    {
        var arguments = new List<string> { "run" };
        if (parse.GetValue(port) is { } chosenPort)
        {
            arguments.AddRange(["--port", chosenPort.ToString(CultureInfo.InvariantCulture)]);
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
