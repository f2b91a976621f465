using Cerver.Relay.Tests.Infrastructure;
using Cerver.Relay.Tests.Link;

namespace Cerver.Relay.Tests.Dashboard;

/// <summary>The overview of a gateway machine lists a real relay linked to it beside itself.</summary>
public sealed class DashboardLinkedRelayTests
{
    private const string AccountKey = "ck_dashboard_linked_relay_key_0123456789";

    [Fact]
    public async Task The_overview_lists_a_linked_relay_with_its_status_and_isolation()
    {
        // A gateway machine: its own gateway URL names itself, as on a LAN fleet's gateway.
        var port = RelayProcess.FreePort();
        await using var gateway = await RelayDaemon.StartAsync("none", apiKey: AccountKey, port: port,
            environment: new Dictionary<string, string?> { ["CERVER_GATEWAY_URL"] = $"http://127.0.0.1:{port}" });
        var (relay, computeId) = await LinkFixtures.StartLinkedAsync(gateway, AccountKey, isolation: "none");
        await using var linked = relay;
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await DashboardSignIn.SignInAsync(chromium, gateway);
        await using var context = page.Context;

        var row = page.Locator($"#computes li[data-compute='{computeId}']");
        await row.WaitForAsync();
        var text = await row.InnerTextAsync();

        Assert.Contains(computeId, text, StringComparison.Ordinal);
        Assert.Contains("none", text, StringComparison.Ordinal);
        Assert.Contains("heartbeat", text, StringComparison.Ordinal);
        Assert.DoesNotContain("this machine", text, StringComparison.Ordinal);
        Assert.Equal(2, await page.Locator("#computes li").CountAsync());
        // The gateway machine itself is "this machine", never a relay registered with itself.
        var own = (await RelayDaemon.ReadJsonAsync(await gateway.Client.GetAsync("/relay/status", TestContext.Current.CancellationToken), 200))["compute_id"]!.GetValue<string>();
        Assert.Contains("this machine", await page.Locator($"#computes li[data-compute='{own}']").InnerTextAsync(), StringComparison.Ordinal);
        await HeadlessChromium.ScreenshotAsync(page, "fleet");
    }
}
