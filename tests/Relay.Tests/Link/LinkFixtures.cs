using Cerver.Relay.Tests.Fleet;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Link;

internal static class LinkFixtures
{
    /// <summary>Registers a relay's machine with a gateway daemon as its owner would, and returns the compute id the gateway gave it.</summary>
    public static async Task<string> RegisterAsync(RelayDaemon gateway, string machineId)
    {
        var registered = await GatewayFixture.RegisterAsync(gateway.Client, machineId);
        return registered["compute_id"]!.GetValue<string>();
    }
}
