using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Cerver.Relay.Tests.Dashboard;

/// <summary>Signs a fresh browser context in to a daemon's dashboard the way a person does: a link from the local token's holder, opened once.</summary>
public static class DashboardSignIn
{
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    public static async Task<string> LoginLinkAsync(RelayDaemon daemon)
    {
        using var response = await daemon.Client.PostAsync("/relay/dashboard/login-links", null);
        return (await RelayDaemon.ReadJsonAsync(response, 200))["url"]!.GetValue<string>();
    }

    /// <summary>A page on the dashboard's overview, signed in, in a context of its own.</summary>
    public static async Task<IPage> SignInAsync(HeadlessChromium chromium, RelayDaemon daemon, ViewportSize? viewport = null)
    {
        var context = await chromium.NewContextAsync(viewport);
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout((float)Patience.TotalMilliseconds);
        await page.GotoAsync(await LoginLinkAsync(daemon));
        await page.WaitForURLAsync(Root(daemon));
        await page.Locator("#computes li").First.WaitForAsync();
        return page;
    }

    public static string Root(RelayDaemon daemon) => daemon.BaseUrl.ToString().TrimEnd('/') + "/";

    /// <summary>The dashboard cookie a signed-in context holds.</summary>
    public static async Task<BrowserContextCookiesResult> CookieAsync(IPage page) =>
        Assert.Single(await page.Context.CookiesAsync(), cookie => cookie.Name == "cerver_dashboard");

    public static async Task<JsonObject> PostJsonAsync(RelayDaemon daemon, string path, object body)
    {
        using var response = await daemon.Client.PostAsJsonAsync(path, body);
        return await RelayDaemon.ReadJsonAsync(response, 200);
    }
}
