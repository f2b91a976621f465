using Cerver.Relay.Tests.Agents;

namespace Cerver.Relay.Tests.Dashboard;

/// <summary>A real Claude Code turn (against the stand-in Messages API) watched on the dashboard's session page while it runs.</summary>
public sealed class DashboardAgentTurnTests : IAsyncLifetime
{
    private AgentDaemon _agents = null!;
    private HeadlessChromium _chromium = null!;

    public async ValueTask InitializeAsync()
    {
        _agents = await AgentDaemon.StartAsync();
        _chromium = await HeadlessChromium.LaunchAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _agents.DisposeAsync();
    }

    [Fact]
    public async Task The_transcript_of_a_running_turn_appears_on_the_open_page()
    {
        var cli = _agents.Cli;
        var session = await cli.CreateSessionAsync("claude", await cli.ReadyComputeAsync(), "dashboard turn");
        var page = await DashboardSignIn.SignInAsync(_chromium, _agents.Daemon);
        await using var context = page.Context;
        await page.GotoAsync($"{DashboardSignIn.Root(_agents.Daemon)}#/sessions/{session}");
        await page.Locator(".badge.live").WaitForAsync();
        Assert.Equal(0, await page.Locator("#transcript li").CountAsync());

        // Sent from the page itself: its POST carries the CSRF token.
        await page.FillAsync("#prompt textarea", "[[think]] [[bash: echo from-the-sandbox]]");
        await page.ClickAsync("#prompt button[type=submit]");

        await page.Locator("#transcript li[data-kind='session_completed']").WaitForAsync();
        Assert.Contains("thinking about:", await page.InnerTextAsync("#transcript li[data-kind='thinking']"), StringComparison.Ordinal);
        Assert.Contains("Bash", await page.InnerTextAsync("#transcript li[data-kind='tool_use']"), StringComparison.Ordinal);
        Assert.Contains("from-the-sandbox", await page.InnerTextAsync("#transcript li[data-kind='tool_result']"), StringComparison.Ordinal);
        Assert.Contains("exit 0", await page.InnerTextAsync("#transcript li[data-kind='session_completed']"), StringComparison.Ordinal);
        var (entries, _) = await cli.WaitForCompletionAsync(session);
        Assert.Equal(entries.Count, await page.Locator("#transcript li").CountAsync());
        await HeadlessChromium.ScreenshotAsync(page, "session");
    }
}
