using System.CommandLine;
using Cerver.Relay.Configuration;
using Cerver.Relay.Link;
using Cerver.Relay.Login;

namespace Cerver.Relay.Cli;

public static class LoginCommand
{
    public static Command Create()
    {
        var gatewayOption = new Option<string?>("--gateway") { Description = $"Gateway to log in to (default CERVER_GATEWAY_URL, else {RelaySettings.DefaultGatewayUrl})." };
        var noBrowser = new Option<bool>("--no-browser") { Description = "Only print the URL and the code; do not open a browser." };
        var force = new Option<bool>("--force") { Description = "Replace the key already in cerver.env." };
        var command = new Command("login", "Log this relay in to a gateway with a code you approve in the browser (or on the gateway machine).") { gatewayOption, noBrowser, force };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!CliSettings.TryLoad(out var settings, new SettingsOverrides(GatewayUrl: parse.GetValue(gatewayOption))))
            {
                return ExitCodes.Failed;
            }

            if (CerverEnvFile.Read(settings.Paths.EnvFile).ContainsKey("CERVER_API_KEY") && !parse.GetValue(force))
            {
                return CliOutput.Error($"already logged in: {settings.Paths.EnvFile} holds a CERVER_API_KEY. Run 'cerver-relay login --force' to replace it, or 'cerver-relay logout' first.");
            }

            using var ctrlC = new CtrlC(cancellationToken);
            using var gateway = new CliGateway(settings.Gateway);
            try
            {
                var start = await gateway.Client.StartDeviceAsync(Environment.MachineName, ctrlC.Token);
                var verification = new Uri(start.VerificationUri);
                // The browser gets the code in the link when the gateway gives one; the printed
                // lines stay the plain page and the code, which a person can check and type.
                var browserTarget = Uri.TryCreate(start.VerificationUriComplete, UriKind.Absolute, out var complete) && complete.Scheme is "http" or "https"
                    ? complete
                    : verification;
                Console.WriteLine($"Log this relay in to {settings.Gateway}:");
                Console.WriteLine($"  open        {verification}");
                Console.WriteLine($"  enter code  {start.UserCode}");
                if (!parse.GetValue(noBrowser) && BrowserLauncher.CanOpen(RelaySettingsLoader.ProcessEnvironment()) && BrowserLauncher.TryOpen(browserTarget))
                {
                    Console.WriteLine("(opened in your browser)");
                }

                Console.WriteLine($"Waiting for approval; the code expires in {start.ExpiresIn / 60} min. Ctrl-C cancels.");
                DeviceLoginResult result;
                using (new WaitingLine(TimeProvider.System, TimeSpan.FromSeconds(start.ExpiresIn), Console.Out, Console.IsOutputRedirected))
                {
                    result = await new DeviceLoginPoller(TimeProvider.System).PollAsync(start, token => gateway.Client.PollDeviceAsync(start.DeviceCode, token), ctrlC.Token);
                }

                CerverEnvFile.Update(settings.Paths.EnvFile, new Dictionary<string, string?>
                {
                    ["CERVER_API_KEY"] = result.AccessToken,
                    ["CERVER_GATEWAY_URL"] = settings.Gateway.ToString().TrimEnd('/'),
                });
                Console.WriteLine($"Logged in to {settings.Gateway} as account {result.AccountId}{(result.KeyId is null ? "" : $" (key {result.KeyId})")}.");
                Console.WriteLine($"The key is in {settings.Paths.EnvFile} (mode 0600). A running relay registers with it at its next heartbeat (CERVER_HEARTBEAT_SECONDS, 60 s by default); otherwise start it: 'cerver-relay service start' or 'cerver-relay run'.");
                return ExitCodes.Ok;
            }
            catch (OperationCanceledException) when (ctrlC.Token.IsCancellationRequested)
            {
                Console.Error.WriteLine("cerver-relay: login cancelled; nothing was written.");
                return ExitCodes.Cancelled;
            }
            catch (GatewayException exception)
            {
                // A gateway that does not answer ends the call after the client's total timeout (30 s), naming it.
                throw new CliExitException(
                    $"login failed: {exception.Message.TrimEnd('.')}. Check the gateway URL (--gateway or CERVER_GATEWAY_URL), your network, and HTTPS_PROXY if you need one.",
                    exception.IsUnreachable ? ExitCodes.Unreachable : ExitCodes.Failed,
                    exception);
            }
            catch (DeviceLoginException exception)
            {
                return CliOutput.Error($"login failed: {exception.Message}");
            }
        });
        return command;
    }
}
