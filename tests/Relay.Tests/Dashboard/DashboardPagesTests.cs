using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Cerver.Relay.Tests.Dashboard;

/// <summary>The dashboard's pages in real headless Chromium against the real daemon: what each shows, live updates, the page's own writes, and a phone-width window.</summary>
public sealed class DashboardPagesTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private readonly RelayDaemon _daemon = fixture.Daemon;
    private readonly HeadlessChromium _chromium = fixture.Chromium;

    [Fact]
    public async Task The_overview_shows_this_machine_its_isolation_limits_and_computes()
    {
        var page = await DashboardSignIn.SignInAsync(_chromium, _daemon);
        await using var context = page.Context;
        var status = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync("/relay/status"), 200);

        var main = await page.InnerTextAsync("main");
        Assert.Contains(status["compute_id"]!.GetValue<string>(), main, StringComparison.Ordinal);
        Assert.Contains(status["isolation"]!.GetValue<string>(), main, StringComparison.Ordinal);
        Assert.Contains("512 processes", main, StringComparison.Ordinal);
        Assert.Contains("this machine", await page.InnerTextAsync($"#computes li[data-compute='{status["compute_id"]}']"), StringComparison.Ordinal);
        await HeadlessChromium.ScreenshotAsync(page, "overview");
    }

    [Fact]
    public async Task A_session_page_shows_each_kind_of_entry_as_it_lands_without_a_reload()
    {
        var session = (await DashboardSignIn.PostJsonAsync(_daemon, "/v2/sessions", new { session_type = "transcript", session_name = "dashboard live" }))["session_id"]!.GetValue<string>();
        await DashboardSignIn.PostJsonAsync(_daemon, $"/v2/sessions/{session}/input", new { role = "user", content = "list the files" });
        var page = await DashboardSignIn.SignInAsync(_chromium, _daemon);
        await using var context = page.Context;
        await page.GotoAsync($"{DashboardSignIn.Root(_daemon)}#/sessions");
        await page.ClickAsync($"a[href='#/sessions/{session}']");
        await page.Locator("#transcript li[data-seq='1']").WaitForAsync();
        await page.Locator(".badge.live").WaitForAsync();
        await page.EvaluateAsync("window.__notReloaded = true");

        await DashboardSignIn.PostJsonAsync(_daemon, $"/v2/sessions/{session}/transcript", new
        {
            entries = new object[]
            {
                new { role = "assistant", kind = "thinking", content = "the user wants a listing" },
                new { role = "assistant", kind = "tool_use", content = "ls -la", tool_name = "Bash", tool_id = "toolu_1", tool_input = new { command = "ls -la" } },
                new { role = "tool", kind = "tool_result", content = "README.md\nsrc", tool_id = "toolu_1", is_error = false },
                new { role = "assistant", kind = "text", content = "There are two entries." },
                new { role = "system", kind = "session_completed", content = """{"type":"session_completed","exit_code":0,"duration_ms":1520,"total_usage":{"input_tokens":21,"output_tokens":13,"turns":1}}""" },
            },
        });

        await page.Locator("#transcript li[data-kind='session_completed']").WaitForAsync();
        Assert.True(await page.EvaluateAsync<bool>("window.__notReloaded === true"));
        Assert.Contains("the user wants a listing", await page.InnerTextAsync("#transcript li[data-kind='thinking']"), StringComparison.Ordinal);
        var toolUse = await page.InnerTextAsync("#transcript li[data-kind='tool_use']");
        Assert.Contains("Bash", toolUse, StringComparison.Ordinal);
        Assert.Contains("\"command\": \"ls -la\"", toolUse, StringComparison.Ordinal);
        Assert.Contains("README.md\nsrc", await page.InnerTextAsync("#transcript li[data-kind='tool_result']"), StringComparison.Ordinal);
        Assert.Contains("There are two entries.", await page.InnerTextAsync("#transcript li[data-kind='text']"), StringComparison.Ordinal);
        Assert.Contains("exit 0 · 1.52 s · 21 in / 13 out tokens", await page.InnerTextAsync("#transcript li[data-kind='session_completed']"), StringComparison.Ordinal);
        Assert.Equal(6, await page.Locator("#transcript li").CountAsync());
    }

    [Fact]
    public async Task Markup_in_a_transcript_or_a_session_name_is_shown_as_text_and_never_runs()
    {
        const string markup = "<img src=x onerror=\"window.__injected = 1\"><script>window.__injected = 2</script>";
        var session = (await DashboardSignIn.PostJsonAsync(_daemon, "/v2/sessions", new { session_type = "transcript", session_name = markup }))["session_id"]!.GetValue<string>();
        await DashboardSignIn.PostJsonAsync(_daemon, $"/v2/sessions/{session}/transcript", new
        {
            entries = new object[]
            {
                new { role = "assistant", kind = "text", content = markup },
                new { role = "assistant", kind = "tool_use", content = markup, tool_name = markup, tool_id = "toolu_x", tool_input = new { command = markup } },
            },
        });
        var page = await DashboardSignIn.SignInAsync(_chromium, _daemon);
        await using var context = page.Context;

        await page.GotoAsync($"{DashboardSignIn.Root(_daemon)}#/sessions");
        await page.Locator($"a[href='#/sessions/{session}']").WaitForAsync();
        Assert.Contains(markup, await page.InnerTextAsync("#sessions"), StringComparison.Ordinal);
        await page.ClickAsync($"a[href='#/sessions/{session}']");
        await page.Locator("#transcript li[data-kind='tool_use']").WaitForAsync();

        Assert.Contains(markup, await page.InnerTextAsync("#transcript li[data-kind='text']"), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#transcript img, #transcript script, #sessions img").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("window.__injected === undefined"));
    }

    [Fact]
    public async Task A_stress_test_started_from_the_page_draws_its_chart_and_stays_listed()
    {
        var page = await DashboardSignIn.SignInAsync(_chromium, _daemon);
        await using var context = page.Context;
        await page.GotoAsync($"{DashboardSignIn.Root(_daemon)}#/stress");
        await page.Locator("#stress-form").WaitForAsync();
        foreach (var box in await page.Locator("#stress-providers input[type=checkbox]").AllAsync())
        {
            await box.SetCheckedAsync(await box.GetAttributeAsync("value") is "local" or "e2b");
        }

        await page.SelectOptionAsync("#stress-kind", "cold_start");
        await page.FillAsync("#stress-samples", "2");
        await page.ClickAsync("#stress-run");

        var bar = page.Locator("#stress-results svg.chart g[data-provider='local'] rect.bar.live");
        await bar.WaitForAsync();
        Assert.True(double.Parse((await bar.GetAttributeAsync("width"))!, System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal(2, await page.Locator("#stress-results svg.chart g[data-provider='local'] circle.sample").CountAsync());
        Assert.Equal(1, await page.Locator("#stress-results svg.chart g[data-provider='e2b'] rect.bar.simulated").CountAsync());
        var listed = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync("/gateway/stress-tests"), 200);
        var result = listed["stress_tests"]![0]!["result"]!;
        Assert.Equal("cold_start", result["kind"]!.GetValue<string>());
        Assert.Equal(2, result["providers"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "local")!["samples"]!.GetValue<int>());

        // A later visit still shows it: the daemon keeps its recent results.
        await page.ReloadAsync();
        await page.Locator($"#stress-results section[data-test-id='{result["testId"]}'] svg.chart").WaitForAsync();
        await HeadlessChromium.ScreenshotAsync(page, "stress-test");
    }

    [Fact]
    public async Task The_logs_view_shows_a_line_this_test_caused()
    {
        var marker = "ses_dashboardmarker" + Guid.NewGuid().ToString("N");
        using (var anonymous = _daemon.CreateClient(token: null))
        {
            using var refused = await anonymous.GetAsync($"/v2/sessions/{marker}");
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var page = await DashboardSignIn.SignInAsync(_chromium, _daemon);
        await using var context = page.Context;
        await page.GotoAsync($"{DashboardSignIn.Root(_daemon)}#/logs");
        await page.Locator("#log span").First.WaitForAsync();

        Assert.Contains($"Refused GET /v2/sessions/{marker}: 401 unauthorized", await page.InnerTextAsync("#log"), StringComparison.Ordinal);
        Assert.DoesNotContain(_daemon.Token, await page.ContentAsync(), StringComparison.Ordinal);
        var tail = await RelayDaemon.ReadJsonAsync(await _daemon.Client.GetAsync("/relay/logs?lines=1"), 200);
        Assert.Single(tail["lines"]!.AsArray());
        Assert.Equal("invalid_request", await RelayDaemon.ReadErrorAsync(await _daemon.Client.GetAsync("/relay/logs?lines=2001"), 400));
        Assert.Equal("invalid_request", await RelayDaemon.ReadErrorAsync(await _daemon.Client.GetAsync("/relay/logs?lines=-1"), 400));
    }

    [Fact]
    public async Task Every_page_fits_a_phone_width_window()
    {
        var session = (await DashboardSignIn.PostJsonAsync(_daemon, "/v2/sessions", new { session_name = "phone check" }))["session_id"]!.GetValue<string>();
        await DashboardSignIn.PostJsonAsync(_daemon, $"/gateway/sessions/{session}/run", new { code = "echo a-rather-long-line-of-output-" + new string('x', 200) });
        var page = await DashboardSignIn.SignInAsync(_chromium, _daemon, HeadlessChromium.Phone);
        await using var context = page.Context;

        foreach (var (route, ready) in new[]
        {
            ("#/overview", "#computes li"),
            ("#/sessions", "#sessions li"),
            ($"#/sessions/{session}", "#transcript li[data-kind='tool_result']"),
            ("#/sandboxes", "#sandboxes li"),
            ("#/stress", "#stress-form"),
            ("#/update", "dl.kv"),
            ("#/logs", "#log span"),
        })
        {
            await page.GotoAsync(DashboardSignIn.Root(_daemon) + route);
            await page.Locator(ready).First.WaitForAsync();
            var (scroll, inner) = await WidthsAsync(page);
            Assert.True(scroll <= inner, $"{route} is {scroll} px wide in a {inner} px window");
            if (route == "#/overview")
            {
                await HeadlessChromium.ScreenshotAsync(page, "phone");
            }
        }

        await page.GotoAsync(DashboardSignIn.Root(_daemon) + "#/sandboxes");
        await page.ClickAsync($"#sandboxes li:has(a[href='#/sessions/{session}']) button");
        var runs = page.Locator("#sandboxes li .runs li[data-kind='run']");
        await runs.First.WaitForAsync();
        Assert.Contains("echo a-rather-long-line-of-output", await runs.First.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("exit 0", await runs.First.InnerTextAsync(), StringComparison.Ordinal);
        var (scrolled, window) = await WidthsAsync(page);
        Assert.True(scrolled <= window, $"the runs are {scrolled} px wide in a {window} px window");
    }

    private static async Task<(int Scroll, int Inner)> WidthsAsync(IPage page)
    {
        var widths = await page.EvaluateAsync<int[]>("[document.documentElement.scrollWidth, window.innerWidth]");
        return (widths[0], widths[1]);
    }
}
