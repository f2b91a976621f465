using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Dashboard;

/// <summary>
/// The gateway's <c>/device</c> page in a real browser: signed in to the dashboard, the owner
/// approves a waiting relay with the session's cookie and CSRF token, typing nothing; a browser
/// that is not signed in is asked for the owner token, and its cookie-less call is refused.
/// </summary>
public sealed class DeviceApprovalTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private readonly RelayDaemon _daemon = fixture.Daemon;

    [Fact]
    public async Task A_browser_signed_in_to_the_dashboard_approves_a_waiting_relay_without_the_token()
    {
        var (userCode, deviceCode) = await StartLoginAsync();
        var page = await DashboardSignIn.SignInAsync(fixture.Chromium, _daemon);
        await using var context = page.Context;

        await page.GotoAsync($"{_daemon.BaseUrl}device?user_code={userCode}");
        await page.Locator("#signed-in").WaitForAsync();
        Assert.Equal(0, await page.Locator("#token").CountAsync());
        Assert.Equal(userCode, await page.InputValueAsync("#code"));
        await page.ClickAsync("button[value=approve]");
        await page.Locator("#result", new() { HasTextString = "Approved" }).WaitForAsync();

        using var anonymous = _daemon.CreateClient(null);
        var approved = await RelayDaemon.ReadJsonAsync(await anonymous.GetAsync($"/v2/auth/device?device_code={Uri.EscapeDataString(deviceCode)}"), 200);
        Assert.Equal("approved", approved["status"]!.GetValue<string>());
        Assert.StartsWith("crk_", approved["access_token"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_browser_without_the_dashboard_cookie_is_asked_for_the_token_and_cannot_approve_without_it()
    {
        var (userCode, deviceCode) = await StartLoginAsync();
        await using var context = await fixture.Chromium.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync($"{_daemon.BaseUrl}device?user_code={userCode}");
        Assert.Equal(1, await page.Locator("#token").CountAsync());
        Assert.Equal(0, await page.Locator("#signed-in").CountAsync());
        Assert.Equal(0, await page.Locator("meta[name=csrf-token]").CountAsync());
        await page.FillAsync("#token", "not-the-owner-token");
        await page.ClickAsync("button[value=approve]");
        await page.Locator("#result", new() { HasTextString = "Authorization: Bearer" }).WaitForAsync();

        using var anonymous = _daemon.CreateClient(null);
        var pending = await RelayDaemon.ReadJsonAsync(await anonymous.GetAsync($"/v2/auth/device?device_code={Uri.EscapeDataString(deviceCode)}"), 202);
        Assert.Equal("pending", pending["status"]!.GetValue<string>());
    }

    private async Task<(string UserCode, string DeviceCode)> StartLoginAsync()
    {
        using var anonymous = _daemon.CreateClient(null);
        var start = await RelayDaemon.ReadJsonAsync(await anonymous.PostAsync("/v2/auth/device", RelayDaemon.Json("""{"machine_name": "mini"}""")), 200);
        return (start["user_code"]!.GetValue<string>(), start["device_code"]!.GetValue<string>());
    }
}
