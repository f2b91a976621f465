using System.Text.Json;
using Cerver.Gateway.Embedded.Routing;
using Cerver.Gateway.Embedded.Routing.Wire;
using Cerver.Gateway.Embedded.Tests.Routing.Fixtures;
using Xunit;

namespace Cerver.Gateway.Embedded.Tests.Routing;

public class RouterTests
{
    private static RoutingRequest ContractRequest() => Build.FromJson(Fixture.Read("gateway-session-create-full.request.json"));

    [Fact]
    public void Contract_preview_request_routes_to_vercel_like_the_seed()
    {
        var report = Router.Recommend(ContractRequest(), ProviderCatalog.Snapshot([]), requireExecutable: false, "req_123");

        Assert.Equal("req_123", report.RequestId);
        Assert.Equal("preview", report.Workload);
        Assert.Equal("vercel", report.Decision.RecommendedProvider);
        Assert.Equal("Route this task through Vercel Sandbox.", report.HumanSummary.Headline);
        Assert.Equal(["e2b", "cloudflare"], report.Decision.FallbackOrder);
        Assert.StartsWith("Vercel Sandbox is modeled only: this gateway cannot start a session there", report.HumanSummary.NextAction, StringComparison.Ordinal);
    }

    [Fact]
    public void Fallback_order_lists_the_other_viable_providers_by_score()
    {
        var report = Router.Recommend(ContractRequest(), ProviderCatalog.Snapshot([]), false, "req_1");

        var viable = report.Providers.Where(p => p.Status == "viable").ToList();
        Assert.Equal(viable.Select(p => p.Name).Skip(1), report.Decision.FallbackOrder);
        Assert.Equal(viable.OrderByDescending(p => p.Score).Select(p => p.Name), viable.Select(p => p.Name));
        Assert.DoesNotContain("daytona", report.Decision.FallbackOrder);
    }

    [Fact]
    public void Providers_blocked_by_the_allowlist_are_listed_as_filtered_with_the_reason()
    {
        var report = Router.Recommend(ContractRequest(), ProviderCatalog.Snapshot([]), false, "req_1");

        var daytona = Build.Provider(report, "daytona");
        Assert.Equal("filtered", daytona.Status);
        Assert.Equal(0, daytona.Score);
        Assert.Equal(["blocked by policy.allowed_providers (vercel, cloudflare, e2b)"], daytona.FilteredReasons);
    }

    [Fact]
    public void Require_executable_with_only_modeled_providers_has_no_winner_and_explains_every_filter()
    {
        var report = Router.Recommend(ContractRequest(), ProviderCatalog.Snapshot([]), requireExecutable: true, "req_1");

        Assert.True(report.NoProviderQualifies);
        Assert.Null(report.Decision.RecommendedProvider);
        Assert.Empty(report.Decision.FallbackOrder);
        Assert.False(report.Decision.CanaryRun);
        Assert.All(report.Providers, p =>
        {
            Assert.Equal("filtered", p.Status);
            Assert.Contains("not executable from this gateway: modeled for scoring only", p.FilteredReasons);
        });
        Assert.Equal(4, report.Decision.SecondaryReasons.Count);
        Assert.StartsWith("No executable compute is attached", report.Decision.PrimaryReason, StringComparison.Ordinal);
        Assert.StartsWith("Attach an executable compute", report.HumanSummary.NextAction, StringComparison.Ordinal);
    }

    [Fact]
    public void Require_executable_picks_the_local_compute_over_modeled_providers()
    {
        var report = Router.Recommend(RoutingRequest.Default, ProviderCatalog.Snapshot([Build.Local()]), true, "req_1");

        Assert.False(report.NoProviderQualifies);
        Assert.Equal("local", report.Decision.RecommendedProvider);
        Assert.Equal("cmp_local", report.Decision.RecommendedComputeId);
        Assert.Empty(report.Decision.FallbackOrder);
        Assert.EndsWith("no other provider qualifies as a fallback.", report.HumanSummary.NextAction, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("p69")]
    [InlineData("cerver_local_provider")]
    public void Pinning_a_local_alias_routes_to_the_local_compute(string alias)
    {
        var request = Build.Valid(new RecommendRequestBody { Policy = new() { Mode = "pinned", PinnedProvider = alias } });

        var report = Router.Recommend(request, ProviderCatalog.Snapshot([Build.Local(), Build.Relay("cmp_fast", "fast")]), false, "req_1");

        Assert.Equal("local", report.Decision.RecommendedProvider);
    }

    [Fact]
    public void Allowlisting_a_local_alias_keeps_only_the_local_compute()
    {
        var request = Build.Valid(new RecommendRequestBody { Policy = new() { AllowedProviders = ["cerver_local_provider"] } });

        var report = Router.Recommend(request, ProviderCatalog.Snapshot([Build.Local()]), false, "req_1");

        Assert.Equal(["local"], report.Providers.Where(p => p.Status == "viable").Select(p => p.Name));
    }

    [Fact]
    public void Provider_local_target_keeps_the_private_computes_this_machine_and_linked_relays()
    {
        var request = Build.Valid(new RecommendRequestBody { TargetComputeId = "provider_local" });

        var report = Router.Recommend(request, ProviderCatalog.Snapshot([Build.Local(), Build.Relay("cmp_mini", "mini")]), false, "req_1");

        Assert.Equal(["cmp_mini", "local"], report.Providers.Where(p => p.Status == "viable").Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Contains("not the targeted provider local (target_compute_id provider_local)", Build.Provider(report, "vercel").FilteredReasons);
    }

    [Fact]
    public void Compute_id_target_picks_that_relay_even_when_the_other_scores_higher()
    {
        var better = Build.Relay("cmp_mini", "mini") with { Observations = new ComputeObservations(50, 100, 50, 20, 100, 100) };
        var catalog = ProviderCatalog.Snapshot([better, Build.Relay("cmp_studio", "studio")]);
        var untargeted = Router.Recommend(RoutingRequest.Default, catalog, true, "req_1");
        var request = Build.Valid(new RecommendRequestBody { TargetComputeId = "cmp_studio" });

        var report = Router.Recommend(request, catalog, true, "req_2");

        Assert.Equal("cmp_mini", untargeted.Decision.RecommendedProvider);
        Assert.Equal("cmp_studio", report.Decision.RecommendedProvider);
        Assert.Equal("cmp_studio", report.Decision.RecommendedComputeId);
        Assert.Equal(["not the targeted compute cmp_studio (target_compute_id)"], Build.Provider(report, "cmp_mini").FilteredReasons);
        Assert.Equal("Route this task through relay studio.", report.HumanSummary.Headline);
    }

    [Fact]
    public void Unknown_compute_id_target_has_no_winner_and_names_the_known_computes()
    {
        var request = Build.Valid(new RecommendRequestBody { TargetComputeId = "cmp_gone" });

        var report = Router.Recommend(request, ProviderCatalog.Snapshot([Build.Relay("cmp_mini", "mini"), Build.Relay("cmp_studio", "studio")]), true, "req_1");

        Assert.True(report.NoProviderQualifies);
        Assert.Equal("target_compute_id 'cmp_gone': no such compute; known computes: cmp_mini, cmp_studio.", report.Decision.PrimaryReason);
    }

    [Fact]
    public void Offline_relay_is_filtered_and_the_online_one_wins()
    {
        var catalog = ProviderCatalog.Snapshot([Build.Relay("cmp_mini", "mini", ComputeStatus.Offline), Build.Relay("cmp_studio", "studio")]);

        var report = Router.Recommend(RoutingRequest.Default, catalog, true, "req_1");

        Assert.Equal("cmp_studio", report.Decision.RecommendedProvider);
        Assert.Equal(["offline: compute cmp_mini is not reachable"], Build.Provider(report, "cmp_mini").FilteredReasons);
    }

    [Fact]
    public void Ties_are_broken_by_name()
    {
        var report = Router.Recommend(Build.Request(), Build.Catalog(Build.Profile("bravo"), Build.Profile("alpha")), true, "req_1");

        Assert.Equal(Build.Provider(report, "alpha").Score, Build.Provider(report, "bravo").Score);
        Assert.Equal("alpha", report.Decision.RecommendedProvider);
        Assert.Equal(["bravo"], report.Decision.FallbackOrder);
    }

    [Fact]
    public void Same_input_gives_the_same_report_whatever_the_compute_order()
    {
        var relays = new[] { Build.Relay("cmp_b", "b"), Build.Relay("cmp_a", "a"), Build.Local() };

        var first = Router.Recommend(ContractRequest(), ProviderCatalog.Snapshot(relays), true, "req_1");
        var second = Router.Recommend(ContractRequest(), ProviderCatalog.Snapshot(relays.Reverse()), true, "req_1");

        Assert.Equal(
            JsonSerializer.Serialize(first, RoutingJsonContext.Default.RecommendationReport),
            JsonSerializer.Serialize(second, RoutingJsonContext.Default.RecommendationReport));
    }

    [Fact]
    public void Winner_secondary_reasons_say_why_in_plain_words()
    {
        var report = Router.Recommend(ContractRequest(), ProviderCatalog.Snapshot([]), false, "req_1");

        Assert.Contains("Tuned for preview workloads", report.Decision.SecondaryReasons);
        Assert.Contains("Suits nextjs projects", report.Decision.SecondaryReasons);
        Assert.Contains("Predicted startup 800 ms within max_startup_ms 2500", report.Decision.SecondaryReasons);
        Assert.Contains("Estimated cost $0.123 within max_cost_usd $0.200", report.Decision.SecondaryReasons);
        Assert.Contains("Modeled only: scored here, not executable from this gateway", report.Decision.SecondaryReasons);
    }

    [Fact]
    public void Duplicate_routing_names_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Build.Catalog(Build.Profile("a"), Build.Profile("a")));
    }

    [Fact]
    public void Modeled_status_from_the_caller_can_take_a_provider_offline()
    {
        var catalog = ProviderCatalog.Snapshot([], new Dictionary<string, ComputeStatus> { ["vercel"] = ComputeStatus.Offline });

        var report = Router.Recommend(ContractRequest(), catalog, false, "req_1");

        Assert.Equal("e2b", report.Decision.RecommendedProvider);
        Assert.Equal(["offline"], Build.Provider(report, "vercel").FilteredReasons);
    }
}
