using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Gateway;

/// <summary>
/// Issue 12, item 7, against the real daemon: the seed's own example request is refused with
/// the fix that would make it run here, and <c>recommend</c> never sends the caller to a
/// provider this gateway cannot execute without saying so.
/// </summary>
public sealed class HonestAnswersApiTests
{
    // The seed's "gateway-session-create.request.json": an allow-list of modeled providers and a public preview.
    private const string SeedRequest = """
        {
          "task": "boot a preview and run a smoke check",
          "workload": "preview",
          "repo": {"name": "branch-monkey", "framework": "nextjs", "languages": ["typescript"]},
          "requirements": {"runtime": "node", "package_install": true, "public_preview": true, "persistence_level": "medium", "timeout_minutes": 15},
          "policy": {"mode": "balanced", "allowed_providers": ["vercel", "cloudflare", "e2b"]}
        }
        """;

    [Fact]
    public async Task The_seed_example_is_a_409_that_names_the_allow_list_and_the_preview_not_a_relay_to_start()
    {
        await using var daemon = await RelayDaemon.StartAsync("none");

        var report = await RelayDaemon.ReadJsonAsync(await daemon.Client.PostAsync("/gateway/sessions", RelayDaemon.Json(SeedRequest), TestContext.Current.CancellationToken), 409);

        Assert.Equal("no_executable_provider", report["error"]!["code"]!.GetValue<string>());
        var next = report["human_summary"]!["next_action"]!.GetValue<string>();
        Assert.Contains("(local) was excluded by blocked by policy.allowed_providers (vercel, cloudflare, e2b)", next, StringComparison.Ordinal);
        Assert.Contains("add \"local\" to policy.allowed_providers (or leave the list out)", next, StringComparison.Ordinal);
        Assert.Contains("drop requirements.public_preview", next, StringComparison.Ordinal);
        Assert.DoesNotContain("cerver-relay", next, StringComparison.Ordinal);
        Assert.DoesNotContain("Attach an executable compute", next, StringComparison.Ordinal);
        Assert.EndsWith(next, report["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        // The refusal is in the daemon's log with the report's id.
        var requestId = report["request_id"]!.GetValue<string>();
        var log = daemon.ReadLog();
        Assert.Contains($"Session refused: no executable provider qualifies (report {requestId})", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recommend_says_when_its_choice_cannot_run_here_and_what_would()
    {
        await using var daemon = await RelayDaemon.StartAsync("none");

        var report = await RelayDaemon.ReadJsonAsync(await daemon.Client.PostAsync("/gateway/recommend", RelayDaemon.Json(SeedRequest), TestContext.Current.CancellationToken), 200);

        Assert.Equal("vercel", report["decision"]!["recommended_provider"]!.GetValue<string>());
        var next = report["human_summary"]!["next_action"]!.GetValue<string>();
        Assert.StartsWith("Vercel Sandbox is modeled only: this gateway cannot start a session there", next, StringComparison.Ordinal);
        Assert.Contains("add \"local\" to policy.allowed_providers", next, StringComparison.Ordinal);
        Assert.DoesNotContain("Start a session on Vercel Sandbox", next, StringComparison.Ordinal);
    }

}
