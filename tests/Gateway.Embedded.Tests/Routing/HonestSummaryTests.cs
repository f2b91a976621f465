using Cerver.Gateway.Embedded.Routing;
using Cerver.Gateway.Embedded.Routing.Wire;
using Cerver.Gateway.Embedded.Tests.Routing.Fixtures;
using Xunit;

namespace Cerver.Gateway.Embedded.Tests.Routing;

/// <summary>
/// Issue 12, item 7: a report never sends the caller to a provider this gateway cannot run
/// without saying so, and a 409 names the requirement or allow-list that kept this machine out.
/// </summary>
public class HonestSummaryTests
{
    // The seed's example: allowed_providers names only modeled providers, and it asks for a public preview.
    private static RoutingRequest SeedRequest() => Build.FromJson(Fixture.Read("gateway-session-create-full.request.json"));

    [Fact]
    public void A_409_names_the_allow_list_and_requirements_that_excluded_this_machine_instead_of_asking_for_a_relay()
    {
        var report = Router.Recommend(SeedRequest(), ProviderCatalog.Snapshot([Build.Local()]), requireExecutable: true, "req_1");

        Assert.True(report.NoProviderQualifies);
        var next = report.HumanSummary.NextAction;
        Assert.Contains("this machine (laptop) (local) was excluded by blocked by policy.allowed_providers (vercel, cloudflare, e2b)", next, StringComparison.Ordinal);
        Assert.Contains("add \"local\" to policy.allowed_providers", next, StringComparison.Ordinal);
        Assert.Contains("drop requirements.public_preview", next, StringComparison.Ordinal);
        Assert.DoesNotContain("Attach an executable compute", next, StringComparison.Ordinal);
        Assert.DoesNotContain("run cerver-relay", next, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_allow_list_is_named_when_it_is_the_only_thing_in_the_way()
    {
        var request = Build.Valid(new RecommendRequestBody { Policy = new() { AllowedProviders = ["vercel"] } });

        var report = Router.Recommend(request, ProviderCatalog.Snapshot([Build.Local()]), requireExecutable: true, "req_1");

        Assert.Equal(
            "this machine (laptop) (local) was excluded by blocked by policy.allowed_providers (vercel); to run it here, add \"local\" to policy.allowed_providers (or leave the list out).",
            report.HumanSummary.NextAction);
    }

    [Fact]
    public void A_runtime_this_machine_lacks_is_named_with_the_runtimes_it_has()
    {
        var request = Build.Valid(new RecommendRequestBody { Requirements = new() { Runtime = "ruby" }, Policy = new() { AllowedProviders = ["local"] } });

        var report = Router.Recommend(request, ProviderCatalog.Snapshot([Build.Local()]), requireExecutable: true, "req_1");

        Assert.Contains("runtime 'ruby' not available", report.HumanSummary.NextAction, StringComparison.Ordinal);
        Assert.Contains("ask for requirements.runtime 'node', 'python', 'shell' instead of 'ruby'", report.HumanSummary.NextAction, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_any_executable_compute_the_fix_is_to_attach_one()
    {
        var report = Router.Recommend(SeedRequest(), ProviderCatalog.Snapshot([]), requireExecutable: true, "req_1");

        Assert.StartsWith("Attach an executable compute", report.HumanSummary.NextAction, StringComparison.Ordinal);
    }

    [Fact]
    public void A_modeled_winner_is_said_to_be_modeled_and_the_best_runnable_provider_is_named()
    {
        var modeled = Build.Profile("quick") with { DisplayName = "Quick Cloud", Executable = false, ComputeId = null, StartupMs = 100 };
        var runnable = Build.Profile("slow") with { DisplayName = "the slow relay", StartupMs = 5000 };

        var report = Router.Recommend(Build.Request(RoutingMode.Fastest), Build.Catalog(modeled, runnable), requireExecutable: false, "req_1");

        Assert.Equal("quick", report.Decision.RecommendedProvider);
        Assert.Equal(
            "Quick Cloud is modeled only: this gateway cannot start a session there. Start the session on the slow relay (slow), the best fit that runs here, or use Quick Cloud through a gateway that executes it.",
            report.HumanSummary.NextAction);
    }

    [Fact]
    public void A_modeled_winner_with_this_machine_filtered_says_what_kept_it_out()
    {
        var report = Router.Recommend(SeedRequest(), ProviderCatalog.Snapshot([Build.Local()]), requireExecutable: false, "req_1");

        Assert.Equal("vercel", report.Decision.RecommendedProvider);
        Assert.StartsWith("Vercel Sandbox is modeled only: this gateway cannot start a session there, and nothing that runs here qualifies:", report.HumanSummary.NextAction, StringComparison.Ordinal);
        Assert.Contains("add \"local\" to policy.allowed_providers", report.HumanSummary.NextAction, StringComparison.Ordinal);
    }

    [Fact]
    public void An_executable_winner_keeps_the_seed_sentence()
    {
        var report = Router.Recommend(RoutingRequest.Default, ProviderCatalog.Snapshot([Build.Local()]), requireExecutable: false, "req_1");

        Assert.Equal("local", report.Decision.RecommendedProvider);
        Assert.StartsWith("Start a session on this machine (laptop)", report.HumanSummary.NextAction, StringComparison.Ordinal);
    }
}
