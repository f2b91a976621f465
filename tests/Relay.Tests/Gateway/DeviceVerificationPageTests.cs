using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Gateway;

/// <summary>
/// Issue 12, item 7: the embedded gateway's <c>/device</c> page points at <c>devices approve</c>
/// with the code filled in, and approves in a browser only with the owner's token from its own
/// origin: a cross-site post approves nothing.
/// </summary>
public sealed class DeviceVerificationPageTests
{
    [Fact]
    public async Task The_page_is_html_with_the_code_filled_in_and_strict_headers()
    {
        await using var gateway = await RelayDaemon.StartAsync("none");
        using var browser = gateway.CreateClient(null);

        using var page = await browser.GetAsync("/device?user_code=bcdf-ghjk", TestContext.Current.CancellationToken);
        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Contains("cerver-relay devices approve BCDF-GHJK", html, StringComparison.Ordinal);
        Assert.Contains("value=\"BCDF-GHJK\"", html, StringComparison.Ordinal);
        // What the page's form does: the owner-only API, with the token as a bearer.
        Assert.Contains("fetch('/relay/devices/' + verb", html, StringComparison.Ordinal);
        Assert.Contains("headers['Authorization'] = 'Bearer ' + document.getElementById('token').value.trim();", html, StringComparison.Ordinal);
        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("form-action 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task A_code_that_is_not_a_code_is_never_echoed()
    {
        await using var gateway = await RelayDaemon.StartAsync("none");
        using var browser = gateway.CreateClient(null);

        var html = await browser.GetStringAsync("/device?user_code=%3Cscript%3Ealert(1)%3C%2Fscript%3E", TestContext.Current.CancellationToken);

        Assert.DoesNotContain("alert(1)", html, StringComparison.Ordinal);
        Assert.Contains("cerver-relay devices approve XXXX-XXXX", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_owners_token_from_the_pages_own_origin_approves()
    {
        await using var gateway = await RelayDaemon.StartAsync("none");
        using var relay = gateway.CreateClient(null);
        var start = await RelayDaemon.ReadJsonAsync(await relay.PostAsync("/v2/auth/device", RelayDaemon.Json("""{"machine_name": "mini"}"""), TestContext.Current.CancellationToken), 200);
        var code = start["user_code"]!.GetValue<string>();
        var ownOrigin = gateway.BaseUrl.GetLeftPart(UriPartial.Authority);

        // A page on another site posting a form: no bearer, a foreign Origin.
        Assert.Equal("forbidden_origin", await RelayDaemon.ReadErrorAsync(await SendAsync(gateway, "/relay/devices/approve", Form(code), "http://evil.example", token: null), 403));
        // The same from a browser that sends no Origin: it cannot carry the owner's token.
        Assert.Equal("unauthorized", await RelayDaemon.ReadErrorAsync(await SendAsync(gateway, "/relay/devices/approve", Form(code), origin: null, token: null), 401));
        // Even with the token, another origin is refused.
        Assert.Equal("forbidden_origin", await RelayDaemon.ReadErrorAsync(await SendAsync(gateway, "/relay/devices/approve", JsonCode(code), "http://evil.example", gateway.Token), 403));
        // The page itself takes no posts.
        Assert.False((await SendAsync(gateway, "/device", Form(code), ownOrigin, token: null)).IsSuccessStatusCode);
        // Without the owner's token, from the page's own origin: refused.
        Assert.Equal("unauthorized", await RelayDaemon.ReadErrorAsync(await SendAsync(gateway, "/relay/devices/approve", JsonCode(code), ownOrigin, "not-the-token"), 401));
        var waiting = await RelayDaemon.ReadJsonAsync(await gateway.Client.GetAsync("/relay/devices", TestContext.Current.CancellationToken), 200);
        Assert.Equal(code, waiting["pending"]!.AsArray().Single()!["user_code"]!.GetValue<string>());

        // What the page's script sends once the owner pasted the token.
        var approved = await RelayDaemon.ReadJsonAsync(await SendAsync(gateway, "/relay/devices/approve", JsonCode(code), ownOrigin, gateway.Token), 200);

        Assert.Equal("approved", approved["status"]!.GetValue<string>());
        Assert.Equal("mini", approved["machine_name"]!.GetValue<string>());
        var polled = await RelayDaemon.ReadJsonAsync(await relay.GetAsync($"/v2/auth/device?device_code={Uri.EscapeDataString(start["device_code"]!.GetValue<string>())}", TestContext.Current.CancellationToken), 200);
        Assert.StartsWith("crk_", polled["access_token"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static FormUrlEncodedContent Form(string code) => new([new("user_code", code)]);

    private static StringContent JsonCode(string code) => RelayDaemon.Json(new JsonObject { ["user_code"] = code }.ToJsonString());

    private static async Task<HttpResponseMessage> SendAsync(RelayDaemon gateway, string path, HttpContent content, string? origin, string? token)
    {
        using var client = gateway.CreateClient(null);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
