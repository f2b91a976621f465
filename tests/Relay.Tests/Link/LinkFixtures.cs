using System.Net.Http.Json;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Link;

internal static class LinkFixtures
{
    /// <summary>Registers a relay's machine with a gateway daemon as its owner would, and returns the compute id the gateway gave it.</summary>
    public static async Task<string> RegisterAsync(RelayDaemon gateway, string machineId)
    {
        var body = new Dictionary<string, object>
        {
            ["machine_id"] = machineId,
            ["label"] = machineId,
            ["provider"] = "cerver_local_provider",
            ["kind"] = "relay",
            ["scope"] = "private",
            ["relay_version"] = "test",
            ["os"] = "linux",
            ["arch"] = "x64",
            ["capabilities"] = new Dictionary<string, object> { ["runtimes"] = new Dictionary<string, string> { ["shell"] = "sh" }, ["isolation"] = "bubblewrap", ["cpus"] = 1 },
        };
        var registered = await RelayDaemon.ReadJsonAsync(await gateway.Client.PostAsJsonAsync("/v2/computes", body, TestContext.Current.CancellationToken), 200);
        return registered["compute_id"]!.GetValue<string>();
    }
}
