using Cerver.Gateway.Embedded.Routing;
using Xunit;

namespace Cerver.Gateway.Embedded.Tests.Routing;

public class HardFiltersTests
{
    private static IReadOnlyList<string> Check(ProviderProfile profile, RoutingRequest request, bool requireExecutable = false) =>
        HardFilters.Check(profile, request, ProviderEstimate.For(profile, request), requireExecutable);

    private static RoutingRequest Needs(RuntimeRequirements requirements) =>
        RoutingRequest.Default with { Requirements = requirements };

    private static RoutingRequest Policy(RoutingPolicy policy) =>
        RoutingRequest.Default with { Policy = policy };

    [Fact]
    public void A_capable_provider_passes_every_filter()
    {
        Assert.Empty(Check(Build.Profile("a"), RoutingRequest.Default, requireExecutable: true));
    }

    [Fact]
    public void Allowed_providers_block_the_others()
    {
        var reasons = Check(Build.Profile("a"), Policy(RoutingPolicy.Default with { AllowedProviders = ["vercel"] }));

        Assert.Equal(["blocked by policy.allowed_providers (vercel)"], reasons);
    }

    [Fact]
    public void Allowed_providers_may_name_a_compute_id()
    {
        Assert.Empty(Check(Build.Profile("a"), Policy(RoutingPolicy.Default with { AllowedProviders = ["cmp_a"] })));
    }

    [Fact]
    public void Provider_local_covers_every_private_compute_this_machine_and_linked_relays()
    {
        var relay = Build.Profile("cmp_relay1") with { Name = "cmp_relay1", ComputeId = "cmp_relay1" };
        var modeled = Build.Profile("vercel") with { ComputeId = null, Executable = false };
        var allowLocal = Policy(RoutingPolicy.Default with { AllowedProviders = ["local"] });
        var targetLocal = RoutingRequest.Default with { Target = new ComputeTarget(ComputeTargetKind.Provider, "local") };

        Assert.Empty(Check(relay, allowLocal));
        Assert.Empty(Check(relay, targetLocal));
        Assert.Equal(["blocked by policy.allowed_providers (local)"], Check(modeled, allowLocal));
        Assert.Single(Check(modeled, targetLocal), reason => reason.StartsWith("not the targeted provider local", StringComparison.Ordinal));
    }

    [Fact]
    public void Modeled_provider_is_filtered_only_when_execution_is_required()
    {
        var modeled = Build.Profile("a") with { Executable = false };

        Assert.Empty(Check(modeled, RoutingRequest.Default));
        Assert.Equal(["not executable from this gateway: modeled for scoring only"], Check(modeled, RoutingRequest.Default, requireExecutable: true));
    }

    [Fact]
    public void Offline_compute_is_filtered_and_says_so()
    {
        var reasons = Check(Build.Profile("a") with { Status = ComputeStatus.Offline }, RoutingRequest.Default);

        Assert.Equal(["offline: compute cmp_a is not reachable"], reasons);
    }

    [Fact]
    public void Missing_runtime_is_filtered_with_what_is_offered()
    {
        var reasons = Check(Build.Profile("a"), Needs(RuntimeRequirements.None with { Runtime = "ruby" }));

        Assert.Equal(["runtime 'ruby' not available (offers node, python, shell)"], reasons);
    }

    [Fact]
    public void Browser_need_filters_providers_without_one()
    {
        Assert.Equal(["no browser support"], Check(Build.Profile("a"), Needs(RuntimeRequirements.None with { Browser = true })));
        Assert.Empty(Check(Build.Profile("a") with { Browser = true }, Needs(RuntimeRequirements.None with { Browser = true })));
    }

    [Fact]
    public void Desktop_need_filters_providers_without_one()
    {
        Assert.Equal(["no desktop support"], Check(Build.Profile("a"), Needs(RuntimeRequirements.None with { Desktop = true })));
    }

    [Fact]
    public void Public_preview_need_filters_providers_without_one()
    {
        Assert.Equal(["no public preview support"], Check(Build.Profile("a"), Needs(RuntimeRequirements.None with { PublicPreview = true })));
    }

    [Fact]
    public void Timeout_beyond_the_provider_maximum_is_filtered()
    {
        var reasons = Check(Build.Profile("a") with { MaxTimeoutMinutes = 45 }, Needs(RuntimeRequirements.None with { TimeoutMinutes = 60 }));

        Assert.Equal(["timeout 60 min exceeds the maximum of 45 min"], reasons);
    }

    [Fact]
    public void Cost_over_the_ceiling_is_filtered()
    {
        // 0.01 per session + 0.02 per minute * 10 default minutes = 0.21
        var pricey = Build.Profile("a") with { Cost = new CostModel(0.02, 0.01) };

        var reasons = Check(pricey, Policy(RoutingPolicy.Default with { MaxCostUsd = 0.2 }));

        Assert.Equal(["estimated cost $0.210 exceeds max_cost_usd $0.200"], reasons);
    }

    [Fact]
    public void Startup_over_max_startup_ms_is_filtered()
    {
        var reasons = Check(Build.Profile("a") with { StartupMs = 2600 }, Policy(RoutingPolicy.Default with { MaxStartupMs = 2500 }));

        Assert.Equal(["predicted startup 2600 ms exceeds max_startup_ms 2500"], reasons);
    }

    [Fact]
    public void Every_failing_filter_is_reported()
    {
        var request = RoutingRequest.Default with
        {
            Requirements = RuntimeRequirements.None with { Browser = true, Desktop = true, PublicPreview = true },
        };

        Assert.Equal(3, Check(Build.Profile("a"), request).Count);
    }
}
