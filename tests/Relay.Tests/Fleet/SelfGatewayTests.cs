using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Fleet;

/// <summary>
/// A gateway machine whose own settings name itself as the gateway (a LAN fleet's gateway, logged
/// in to itself) does not register with itself: it is the gateway. The daemon's own address must be
/// known before registration looks at it, whatever order the start-up callbacks run in.
/// </summary>
public sealed class SelfGatewayTests
{
    private const string AccountKey = "ck_self_gateway_account_key_0123456789ab";

    [Fact]
    public async Task A_relay_whose_gateway_is_itself_is_the_gateway_and_lists_itself_once()
    {
        // The race this guards against was seen about one start in two: a few starts make it plain.
        for (var start = 0; start < 4; start++)
        {
            var port = RelayProcess.FreePort();
            await using var daemon = await RelayDaemon.StartAsync("none", apiKey: AccountKey, port: port,
                environment: new Dictionary<string, string?> { ["CERVER_GATEWAY_URL"] = $"http://127.0.0.1:{port}", ["CERVER_HEARTBEAT_SECONDS"] = "1" });

            var gateway = await GatewayStatusAsync(daemon, status => status["registration"]?.GetValue<string>() is not (null or "registering" or "not_logged_in"));
            var computes = (await RelayDaemon.ReadJsonAsync(await daemon.Client.GetAsync("/v2/computes", TestContext.Current.CancellationToken), 200))["computes"]!.AsArray();

            Assert.Equal("is_gateway", gateway["registration"]!.GetValue<string>());
            var only = Assert.Single(computes);
            Assert.Equal("local", only!["kind"]!.GetValue<string>());
        }
    }

    private static async Task<JsonObject> GatewayStatusAsync(RelayDaemon daemon, Func<JsonObject, bool> settled)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var status = (await RelayDaemon.ReadJsonAsync(await daemon.Client.GetAsync("/relay/status", patience.Token), 200))["gateway"]!.AsObject();
            if (settled(status))
            {
                return status;
            }

            await Task.Delay(50, patience.Token);
        }
    }
}
