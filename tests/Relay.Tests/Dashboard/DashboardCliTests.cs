using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Dashboard;

/// <summary><c>cerver-relay dashboard</c> as the real binary: a one-time link from its own daemon, or exit 3 without one.</summary>
public sealed class DashboardCliTests
{
    [Fact]
    public async Task The_verb_prints_a_one_time_link_of_its_daemon()
    {
        using var home = new TempDirectory("cerver-home");
        using var relay = await RelayProcess.StartAsync(home.Path);

        var run = await RelayProcess.RunCliAsync(home.Path, ["dashboard", "--no-open", "--json"]);

        Assert.Equal(0, run.ExitCode);
        var link = JsonNode.Parse(run.Stdout)!.AsObject();
        var url = link["url"]!.GetValue<string>();
        Assert.Matches($@"^http://127\.0\.0\.1:{relay.Port}/dashboard/login\?code=[A-Za-z0-9_-]{{43}}$", url);
        var expires = DateTimeOffset.Parse(link["expires_at"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.Zero, TimeSpan.FromMinutes(2));
        Assert.False(link["opened"]!.GetValue<bool>());
        Assert.DoesNotContain(File.ReadAllText(Path.Combine(home.Path, "relay", "local.token")).Trim(), run.Stdout, StringComparison.Ordinal);

        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
        using (var first = await browser.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            var cookie = Assert.Single(first.Headers.GetValues("Set-Cookie"));
            Assert.StartsWith("cerver_dashboard=", cookie, StringComparison.Ordinal);
            Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Equal("no-referrer", first.Headers.GetValues("Referrer-Policy").Single());
        }

        using var second = await browser.GetAsync(url);
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        Assert.False(second.Headers.Contains("Set-Cookie"));

        var human = await RelayProcess.RunCliAsync(home.Path, ["dashboard", "--no-open"]);
        Assert.Equal(0, human.ExitCode);
        Assert.StartsWith($"http://127.0.0.1:{relay.Port}/dashboard/login?code=", human.Stdout, StringComparison.Ordinal);
        Assert.Contains("works once, for 2 minutes", human.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_daemon_the_verb_says_so_and_exits_3()
    {
        using var home = new TempDirectory("cerver-home");
        var env = new Dictionary<string, string> { ["CERVER_RELAY_PORT"] = RelayProcess.FreePort().ToString(CultureInfo.InvariantCulture) };

        var run = await RelayProcess.RunCliAsync(home.Path, ["dashboard", "--no-open"], env);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("no relay answers", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }
}
