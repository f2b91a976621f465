using System.Net;
using System.Net.Http.Json;
using Cerver.Relay.Dashboard;
using Cerver.Relay.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;

namespace Cerver.Relay.Tests.Dashboard;

/// <summary>
/// Signing in to the dashboard in real headless Chromium: a one-time link becomes an HttpOnly,
/// SameSite=Strict cookie, and the cookie alone never lets another site change anything.
/// </summary>
public sealed class DashboardLoginTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private readonly RelayDaemon _daemon = fixture.Daemon;
    private readonly HeadlessChromium _chromium = fixture.Chromium;

    [Fact]
    public async Task A_login_link_works_once_and_leaves_an_HttpOnly_strict_cookie_and_no_code_in_the_url()
    {
        var link = await DashboardSignIn.LoginLinkAsync(_daemon);
        Assert.Matches(@"^http://127\.0\.0\.1:\d+/dashboard/login\?code=[A-Za-z0-9_-]{43}$", link);
        await using var context = await _chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        var before = await page.EvaluateAsync<int>("history.length");

        var first = await page.GotoAsync(link);
        Assert.Equal(200, first!.Status);
        await page.WaitForURLAsync(DashboardSignIn.Root(_daemon));
        await page.Locator("#computes li").First.WaitForAsync();

        Assert.DoesNotContain("code=", page.Url, StringComparison.Ordinal);
        // The sign-in page replaced itself with the app: one entry more, not two, so the code is not in the history either.
        Assert.Equal(before + 1, await page.EvaluateAsync<int>("history.length"));
        var cookie = await DashboardSignIn.CookieAsync(page);
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("/", cookie.Path);
        Assert.Equal("", await page.EvaluateAsync<string>("document.cookie"));
        Assert.Equal(await MachineLabelAsync(), (await page.Locator("#machine").TextContentAsync())!.Trim());

        await using var second = await _chromium.NewContextAsync();
        var reused = await (await second.NewPageAsync()).GotoAsync(link);
        Assert.Equal(401, reused!.Status);
        Assert.Contains("cerver-relay dashboard", await reused.TextAsync(), StringComparison.Ordinal);
        Assert.Empty(await second.CookiesAsync());
    }

    [Fact]
    public async Task Without_the_cookie_the_page_says_how_to_sign_in_and_the_api_refuses()
    {
        await using var context = await _chromium.NewContextAsync();
        var page = await context.NewPageAsync();

        var root = await page.GotoAsync(DashboardSignIn.Root(_daemon));

        Assert.Equal(401, root!.Status);
        Assert.Contains("run cerver-relay dashboard on this machine", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        Assert.Equal("no-store", root.Headers["cache-control"]);
        Assert.Contains("script-src 'self'", root.Headers["content-security-policy"], StringComparison.Ordinal);
        var status = await page.GotoAsync(DashboardSignIn.Root(_daemon) + "relay/status");
        Assert.Equal(401, status!.Status);
        Assert.Contains("\"unauthorized\"", await status.TextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cookie_request_from_a_foreign_origin_or_without_the_csrf_token_is_refused()
    {
        var page = await DashboardSignIn.SignInAsync(_chromium, _daemon);
        await using var context = page.Context;
        var cookie = $"cerver_dashboard={(await DashboardSignIn.CookieAsync(page)).Value}";
        var csrf = await page.Locator("meta[name=csrf-token]").GetAttributeAsync("content");
        var own = _daemon.BaseUrl.GetLeftPart(UriPartial.Authority);
        using var client = _daemon.CreateClient(token: null);

        async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpMethod method, string path, string? origin, string? token)
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Add("Cookie", cookie);
            if (origin is not null)
            {
                request.Headers.Add("Origin", origin);
            }

            if (token is not null)
            {
                request.Headers.Add("X-CSRF-Token", token);
            }

            if (method == HttpMethod.Post)
            {
                request.Content = JsonContent.Create(new { });
            }

            using var response = await client.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var read = await SendAsync(HttpMethod.Get, "/relay/status", null, null);
        Assert.Equal(HttpStatusCode.OK, read.Status);
        var foreignRead = await SendAsync(HttpMethod.Get, "/relay/status", "http://evil.example", null);
        Assert.Equal(HttpStatusCode.Forbidden, foreignRead.Status);
        Assert.Contains("\"forbidden_origin\"", foreignRead.Body, StringComparison.Ordinal);
        var foreignWrite = await SendAsync(HttpMethod.Post, "/sandbox", "http://evil.example", csrf);
        Assert.Equal(HttpStatusCode.Forbidden, foreignWrite.Status);
        Assert.Contains("\"forbidden_origin\"", foreignWrite.Body, StringComparison.Ordinal);
        var noToken = await SendAsync(HttpMethod.Post, "/sandbox", own, null);
        Assert.Equal(HttpStatusCode.Forbidden, noToken.Status);
        Assert.Contains("\"csrf_token_missing\"", noToken.Body, StringComparison.Ordinal);
        var wrongToken = await SendAsync(HttpMethod.Post, "/sandbox", own, csrf + "x");
        Assert.Equal(HttpStatusCode.Forbidden, wrongToken.Status);
        Assert.Contains("\"csrf_token_invalid\"", wrongToken.Body, StringComparison.Ordinal);
        var noOrigin = await SendAsync(HttpMethod.Post, "/sandbox", null, csrf);
        Assert.Equal(HttpStatusCode.Forbidden, noOrigin.Status);
        Assert.Contains("\"origin_missing\"", noOrigin.Body, StringComparison.Ordinal);
        var mint = await SendAsync(HttpMethod.Post, "/relay/dashboard/login-links", own, csrf);
        Assert.Equal(HttpStatusCode.Forbidden, mint.Status);
        Assert.Empty((await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync("/sandbox"), 200))["sandboxes"]!.AsArray());

        // The page's own request carries both, and is let in.
        var created = await page.EvaluateAsync<int>("""
            async () => (await fetch('/sandbox', { method: 'POST', headers: { 'X-CSRF-Token': document.querySelector('meta[name=csrf-token]').content, 'Content-Type': 'application/json' }, body: '{}' })).status
            """);
        Assert.Equal(201, created);
        var forged = await page.EvaluateAsync<int>("async () => (await fetch('/sandbox', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status");
        Assert.Equal(403, forged);
    }

    [Fact]
    public async Task Signing_out_ends_the_session_and_the_cookie_opens_nothing_after()
    {
        var page = await DashboardSignIn.SignInAsync(_chromium, _daemon);
        await using var context = page.Context;
        var cookie = $"cerver_dashboard={(await DashboardSignIn.CookieAsync(page)).Value}";

        await page.ClickAsync("#logout");
        await page.Locator("text=You are not signed in").WaitForAsync();

        Assert.Empty(await page.Context.CookiesAsync());
        using var client = _daemon.CreateClient(token: null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/relay/status");
        request.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task An_unknown_code_is_refused_with_the_sentence_and_no_cookie()
    {
        using var client = _daemon.CreateClient(token: null);
        foreach (var path in new[] { "/dashboard/login", "/dashboard/login?code=", "/dashboard/login?code=" + new string('A', 43), "/dashboard/login?code=" + new string('x', 5000) })
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.False(response.Headers.Contains("Set-Cookie"));
            Assert.Contains("run <code>cerver-relay dashboard</code>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_code_expires_after_two_minutes_and_a_session_after_twelve_hours()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-06T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var links = new LoginLinks(time);
        var (late, expiresAt) = links.Issue();
        var (onTime, _) = links.Issue();
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromMinutes(2), expiresAt);

        time.Advance(TimeSpan.FromMinutes(2) - TimeSpan.FromSeconds(1));
        Assert.True(links.Redeem(onTime));
        Assert.False(links.Redeem(onTime));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(links.Redeem(late));

        var sessions = new DashboardSessions(time);
        var session = sessions.Start();
        time.Advance(TimeSpan.FromHours(12) - TimeSpan.FromSeconds(1));
        Assert.Same(session, sessions.Find(session.Id));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(sessions.Find(session.Id));
    }

    private async Task<string> MachineLabelAsync() =>
        (await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync("/relay/status"), 200))["label"]!.GetValue<string>();
}
