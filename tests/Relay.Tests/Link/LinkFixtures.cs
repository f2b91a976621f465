using Cerver.Gateway.Embedded.Fleet;
using Cerver.Relay.Link;
using Cerver.Relay.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Cerver.Relay.Tests.Link;

internal static class LinkFixtures
{
    /// <summary>
    /// Starts relay B with <paramref name="gateway"/> as its gateway and the account's key, as
    /// a logged-in relay runs: it registers through the gateway's real endpoint and opens its
    /// connect channel. Returns once the gateway routes to B and B says it is connected, with the
    /// compute id the gateway gave B.
    /// </summary>
    public static async Task<(RelayDaemon Relay, string ComputeId)> StartLinkedAsync(
        RelayDaemon gateway, string accountKey, string isolation = "auto", IReadOnlyDictionary<string, string?>? environment = null)
    {
        var relay = await RelayDaemon.StartAsync(isolation, apiKey: accountKey,
            environment: new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>()) { ["CERVER_GATEWAY_URL"] = gateway.BaseUrl.ToString() },
            services: services =>
                // Redial within a fraction of a second so a relink test waits for the channel, not the backoff.
                services.AddSingleton(new ReconnectBackoff(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200), Random.Shared.NextDouble)));
        var computeId = (await relay.App.Services.GetRequiredService<GatewayConnection>().WhenRegisteredAsync(TestContext.Current.CancellationToken)).ComputeId;
        await WaitUntilRoutedAsync(gateway, computeId);

        // The gateway routes to B once it has greeted it; B says connected once it read the greeting.
        var state = relay.App.Services.GetRequiredService<LinkState>();
        while (state.Current.Status != LinkStatus.Connected)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        return (relay, computeId);
    }

    /// <summary>Waits until <paramref name="computeId"/>'s channel is open and the gateway routes to it.</summary>
    public static async Task WaitUntilRoutedAsync(RelayDaemon gateway, string computeId)
    {
        var registry = gateway.App.Services.GetRequiredService<ComputeRegistry>();
        while (registry.Find(computeId) is null)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
