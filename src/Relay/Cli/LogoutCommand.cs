using System.CommandLine;
using Cerver.Relay.Configuration;
using Cerver.Relay.Link;

namespace Cerver.Relay.Cli;

public static class LogoutCommand
{
    public static Command Create()
    {
        var command = new Command("logout", "Remove the key from cerver.env, unregister this relay from its gateway and revoke the key there.");
        command.SetAction(async (_, cancellationToken) =>
        {
            if (!CliSettings.TryLoad(out var settings))
            {
                return ExitCodes.Failed;
            }

            var stored = CerverEnvFile.Read(settings.Paths.EnvFile).GetValueOrDefault("CERVER_API_KEY");
            if (stored is null)
            {
                Console.WriteLine($"Not logged in: {settings.Paths.EnvFile} holds no key.");
                return ExitCodes.Ok;
            }

            // The key leaves cerver.env first: a running relay that heartbeats meanwhile sees it gone
            // and stops, instead of registering again after the unregister below.
            CerverEnvFile.Update(settings.Paths.EnvFile, new Dictionary<string, string?> { ["CERVER_API_KEY"] = null });
            Console.WriteLine($"Removed the key from {settings.Paths.EnvFile}. A running relay stops registering at its next heartbeat.");

            // Best effort: a gateway that cannot be reached marks the compute offline on its own.
            var link = LinkRecord.Read(settings.Paths.LinkFile);
            var gatewayUrl = link is not null ? new Uri(link.GatewayUrl) : settings.GatewayUrl is null ? null : settings.Gateway;
            if (gatewayUrl is not null)
            {
                using var gateway = new CliGateway(gatewayUrl);
                if (link is not null)
                {
                    await GiveUpAsync(() => gateway.Client.UnregisterAsync(stored, link.ComputeId, cancellationToken),
                        $"Unregistered compute {link.ComputeId} from {gatewayUrl}.", $"could not unregister compute {link.ComputeId}", "the gateway will show it offline");
                    File.Delete(settings.Paths.LinkFile);
                }

                await GiveUpAsync(async () => await gateway.Client.RevokeKeyAsync(stored, (await gateway.Client.WhoAmIAsync(stored, cancellationToken)).KeyId
                        ?? throw new GatewayException("the gateway does not name this key"), cancellationToken),
                    $"Revoked the key at {gatewayUrl}.", "could not revoke the key", "revoke it on the gateway's side if it may have leaked");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task GiveUpAsync(Func<Task> call, string done, string failed, string consequence)
    {
        try
        {
            await call();
            Console.WriteLine(done);
        }
        catch (GatewayException exception)
        {
            Console.Error.WriteLine($"cerver-relay: {failed} ({exception.Message}); {consequence}.");
        }
    }
}
