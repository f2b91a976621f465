using System.Net.Http.Json;
using Cerver.Gateway.Embedded;
using Cerver.Gateway.Embedded.Accounts;
using Cerver.Relay.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Cerver.Relay.Tests.Daemon;

/// <summary>Anonymous device authorizations are bounded in rate and in the rows they leave; expired rows go away.</summary>
public sealed class DeviceAuthorizationLimitTests
{
    [Fact]
    public async Task Past_the_burst_a_start_is_429_with_retry_after_until_the_bucket_refills()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var daemon = await RelayDaemon.StartAsync("none", time: time);
        using var anonymous = daemon.CreateClient(null);
        var burst = new GatewayOptions().DeviceStartBurst;
        for (var i = 0; i < burst; i++)
        {
            await RelayDaemon.ReadJsonAsync(await StartAsync(anonymous), 200);
        }

        using var refused = await StartAsync(anonymous);
        Assert.Equal("rate_limited", await RelayDaemon.ReadErrorAsync(refused, 429));
        Assert.Equal(new GatewayOptions().DeviceStartRefill, refused.Headers.RetryAfter?.Delta);

        time.Advance(new GatewayOptions().DeviceStartRefill);
        await RelayDaemon.ReadJsonAsync(await StartAsync(anonymous), 200);
        Assert.Equal("rate_limited", await RelayDaemon.ReadErrorAsync(await StartAsync(anonymous), 429));
    }

    [Fact]
    public async Task Past_the_cap_of_pending_codes_a_start_is_429_until_one_expires()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var daemon = await RelayDaemon.StartAsync("none", time: time,
            services: services => services.Configure<GatewayOptions>(options => (options.MaxPendingDeviceCodes, options.DeviceStartBurst) = (3, 100)));
        using var anonymous = daemon.CreateClient(null);
        for (var i = 0; i < 3; i++)
        {
            await RelayDaemon.ReadJsonAsync(await StartAsync(anonymous), 200);
        }

        using var refused = await StartAsync(anonymous);
        Assert.Equal("rate_limited", await RelayDaemon.ReadErrorAsync(refused, 429));
        Assert.NotNull(refused.Headers.RetryAfter);

        time.Advance(new GatewayOptions().DeviceCodeLifetime);
        await RelayDaemon.ReadJsonAsync(await StartAsync(anonymous), 200);
    }

    [Fact]
    public async Task The_sweep_deletes_codes_past_expiry_and_retention_and_keeps_the_rest()
    {
        // The daemon's own sweeper stays out of the way, so the call below is the one that deletes.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var daemon = await RelayDaemon.StartAsync("none", time: time,
            services: services => services.Configure<GatewayOptions>(options => options.DeviceCodeSweepInterval = TimeSpan.FromDays(30)));
        using var anonymous = daemon.CreateClient(null);
        var old = (await RelayDaemon.ReadJsonAsync(await StartAsync(anonymous), 200))["device_code"]!.GetValue<string>();
        var options = new GatewayOptions();
        time.Advance(options.DeviceCodeLifetime + options.DeviceCodeRetention - TimeSpan.FromMinutes(1));
        var recent = (await RelayDaemon.ReadJsonAsync(await StartAsync(anonymous), 200))["device_code"]!.GetValue<string>();
        time.Advance(TimeSpan.FromMinutes(1));

        var devices = daemon.App.Services.GetRequiredService<DeviceAuthorization>();
        Assert.Equal(1, devices.DeleteExpired());

        Assert.Equal("invalid_device_code", await PollErrorAsync(anonymous, old));
        Assert.Equal("authorization_pending", await PollErrorAsync(anonymous, recent));
        Assert.Equal(0, devices.DeleteExpired());
    }

    private static Task<HttpResponseMessage> StartAsync(HttpClient client) =>
        client.PostAsJsonAsync("/v2/auth/device", new { machine_name = "hostile" }, TestContext.Current.CancellationToken);

    private static async Task<string> PollErrorAsync(HttpClient client, string deviceCode)
    {
        using var response = await client.GetAsync($"/v2/auth/device?device_code={Uri.EscapeDataString(deviceCode)}", TestContext.Current.CancellationToken);
        return System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["error"]!.GetValue<string>();
    }
}
