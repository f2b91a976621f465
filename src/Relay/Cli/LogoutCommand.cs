using System.CommandLine;
using Cerver.Relay.Configuration;
using Cerver.Relay.Link;

namespace Cerver.Relay.Cli;

public static class LogoutCommand
{
    public static Command Create()
    {
        var command = new Command("logout", "Unregister this relay from its gateway and remove the key from cerver.env.");
        command.SetAction(async (_, cancellationToken) =>
        {
            if (!CliSettings.TryLoad(out var settings))
            {
                return CliOutput.Failed;
            }

            var stored = CerverEnvFile.Read(settings.Paths.EnvFile).GetValueOrDefault("CERVER_API_KEY");
            if (stored is null)
            {
                Console.WriteLine($"Not logged in: {settings.Paths.EnvFile} holds no key.");
                return CliOutput.Ok;
            }

            // Best effort: a gateway that cannot be reached marks the compute offline on its own.
            if (LinkRecord.Read(settings.Paths.LinkFile) is { } link)
            {
                using var gateway = new CliGateway(new Uri(link.GatewayUrl));
                try
                {
                    await gateway.Client.UnregisterAsync(stored, link.ComputeId, cancellationToken);
                    Console.WriteLine($"Unregistered compute {link.ComputeId} from {link.GatewayUrl}.");
                }
                catch (GatewayException exception)
                {
                    Console.Error.WriteLine($"cerver-relay: could not unregister compute {link.ComputeId} ({exception.Message}); the gateway will show it offline.");
                }

                File.Delete(settings.Paths.LinkFile);
            }

            CerverEnvFile.Update(settings.Paths.EnvFile, new Dictionary<string, string?> { ["CERVER_API_KEY"] = null });
            Console.WriteLine($"Removed the key from {settings.Paths.EnvFile}. A running relay keeps using it until it restarts.");
            return CliOutput.Ok;
        });
        return command;
    }
}
