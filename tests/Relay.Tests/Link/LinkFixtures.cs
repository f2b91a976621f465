using System.Text.Json.Nodes;
using Cerver.Relay.Link;
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

    /// <summary>Where relay B dials in: the gateway, the account's key and B's compute id there, B saying it runs a shell on bubblewrap.</summary>
    public static ILinkTargetSource Target(Uri gateway, string accountKey, string computeId) =>
        new FixedLinkTarget(new LinkTarget(gateway, accountKey, computeId,
            new JsonObject { ["runtimes"] = new JsonObject { ["shell"] = "sh" }, ["isolation"] = "bubblewrap" }));
}
