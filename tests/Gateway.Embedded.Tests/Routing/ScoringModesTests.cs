using Cerver.Gateway.Embedded.Routing;
using Xunit;

namespace Cerver.Gateway.Embedded.Tests.Routing;

// One catalog where each provider is best at exactly one thing, so each mode must pick
// a different winner.
public class ScoringModesTests
{
    private static readonly CatalogSnapshot Catalog = Build.Catalog(
        Build.Profile("quick") with { StartupMs = 100, ExecMs = 20, Cost = new CostModel(0.02, 0), UptimePercent = 99.0, Persistence = PersistenceLevel.Low },
        Build.Profile("thrifty") with { StartupMs = 3000, ExecMs = 300, Cost = CostModel.Free, UptimePercent = 99.0, Persistence = PersistenceLevel.Low },
        Build.Profile("sturdy") with { StartupMs = 1500, ExecMs = 200, Cost = new CostModel(0.005, 0), UptimePercent = 99.99, Persistence = PersistenceLevel.High },
        Build.Profile("fitting") with { StartupMs = 700, ExecMs = 100, Cost = new CostModel(0.004, 0), UptimePercent = 99.5, StrongWorkloads = [Workload.Preview] });

    private static string Winner(RoutingMode mode, string? pinned = null) =>
        Router.Recommend(Build.Request(mode, Workload.Preview, pinned), Catalog, requireExecutable: true, "req_1").Decision.RecommendedProvider!;

    [Theory]
    [InlineData(RoutingMode.Balanced, "fitting")]
    [InlineData(RoutingMode.Fastest, "quick")]
    [InlineData(RoutingMode.Cheapest, "thrifty")]
    [InlineData(RoutingMode.Resilient, "sturdy")]
    public void Each_mode_picks_the_provider_built_for_it(RoutingMode mode, string winner)
    {
        Assert.Equal(winner, Winner(mode));
    }

    [Fact]
    public void Fastest_mode_explains_with_the_predicted_startup()
    {
        var report = Router.Recommend(Build.Request(RoutingMode.Fastest, Workload.Preview), Catalog, true, "req_1");

        Assert.Equal("Predicted startup 100 ms, fastest of 4 viable providers.", report.Decision.PrimaryReason);
    }

    [Fact]
    public void Cheapest_mode_explains_with_the_estimated_cost()
    {
        var report = Router.Recommend(Build.Request(RoutingMode.Cheapest, Workload.Preview), Catalog, true, "req_1");

        Assert.Equal("Estimated cost $0.000, cheapest of 4 viable providers.", report.Decision.PrimaryReason);
    }

    [Fact]
    public void Resilient_mode_explains_with_reliability_and_persistence()
    {
        var report = Router.Recommend(Build.Request(RoutingMode.Resilient, Workload.Preview), Catalog, true, "req_1");

        Assert.Equal("Provider sturdy scores best on reliability and persistence among 4 viable providers (uptime 99.99%, high persistence).", report.Decision.PrimaryReason);
    }

    [Fact]
    public void Pinned_provider_wins_over_the_balanced_winner_with_a_boost()
    {
        var balanced = Router.Recommend(Build.Request(RoutingMode.Balanced, Workload.Preview), Catalog, true, "req_1");
        var pinned = Router.Recommend(Build.Request(RoutingMode.Pinned, Workload.Preview, pinned: "thrifty"), Catalog, true, "req_1");

        Assert.Equal("thrifty", pinned.Decision.RecommendedProvider);
        var before = Build.Provider(balanced, "thrifty").Score;
        Assert.Equal(Math.Min(1, ScoringModel.Round3(before + ScoringModel.PinnedBoost)), Build.Provider(pinned, "thrifty").Score);
        Assert.Equal("Provider thrifty is pinned by policy and passes every hard filter.", pinned.Decision.PrimaryReason);
    }

    [Fact]
    public void Pinned_provider_wins_even_when_its_boosted_score_trails()
    {
        var weak = Build.Profile("weak") with
        {
            Executable = false,
            Status = ComputeStatus.Degraded,
            StartupMs = 60_000,
            Cost = new CostModel(1, 0),
            UptimePercent = 90,
            Persistence = PersistenceLevel.Low,
        };
        var ideal = Build.Profile("ideal") with
        {
            StartupMs = 0,
            ExecMs = 0,
            Cost = CostModel.Free,
            UptimePercent = 100,
            Persistence = PersistenceLevel.High,
            StrongWorkloads = [Workload.General],
        };

        var report = Router.Recommend(Build.Request(RoutingMode.Pinned, pinned: "weak"), Build.Catalog(weak, ideal), false, "req_1");

        Assert.True(Build.Provider(report, "weak").Score < Build.Provider(report, "ideal").Score);
        Assert.Equal("weak", report.Decision.RecommendedProvider);
        Assert.Equal(["ideal"], report.Decision.FallbackOrder);
    }

    [Fact]
    public void Pinned_provider_that_fails_a_filter_falls_back_to_balanced_and_says_why()
    {
        var request = Build.Request(RoutingMode.Pinned, Workload.Preview, pinned: "thrifty") with
        {
            Policy = RoutingPolicy.Default with { Mode = RoutingMode.Pinned, PinnedProvider = "thrifty", MaxStartupMs = 2000 },
        };

        var report = Router.Recommend(request, Catalog, true, "req_1");

        Assert.Equal("fitting", report.Decision.RecommendedProvider);
        Assert.Equal("Pinned provider thrifty was filtered: predicted startup 3000 ms exceeds max_startup_ms 2000", report.Decision.SecondaryReasons[0]);
    }

    [Theory]
    [InlineData(RoutingMode.Balanced)]
    [InlineData(RoutingMode.Fastest)]
    [InlineData(RoutingMode.Cheapest)]
    [InlineData(RoutingMode.Resilient)]
    public void Scores_stay_in_zero_to_one_with_three_decimals(RoutingMode mode)
    {
        var report = Router.Recommend(Build.Request(mode, Workload.Preview), Catalog, true, "req_1");

        Assert.All(report.Providers, p =>
        {
            Assert.InRange(p.Score, 0, 1);
            Assert.Equal(Math.Round(p.Score, 3), p.Score);
        });
    }

    [Fact]
    public void Framework_affinity_raises_fit()
    {
        var profile = Build.Profile("a") with { Frameworks = ["nextjs"] };
        var plain = RoutingRequest.Default;
        var nextjs = plain with { Repo = RepoHints.None with { Framework = "nextjs" } };

        var without = ScoringModel.Score(profile, plain, ProviderEstimate.For(profile, plain));
        var with = ScoringModel.Score(profile, nextjs, ProviderEstimate.For(profile, nextjs));

        Assert.Equal(ScoringModel.FitBase, without.Fit, 6);
        Assert.Equal(ScoringModel.FitBase + ScoringModel.FitFrameworkBonus, with.Fit, 6);
        Assert.True(with.Total > without.Total);
    }

    [Fact]
    public void Falling_short_of_the_requested_persistence_lowers_the_score()
    {
        var profile = Build.Profile("a") with { Persistence = PersistenceLevel.Low };
        var wantsHigh = RoutingRequest.Default with { Requirements = RuntimeRequirements.None with { Persistence = PersistenceLevel.High } };

        var plain = ScoringModel.Score(profile, RoutingRequest.Default, ProviderEstimate.For(profile, RoutingRequest.Default));
        var shortfall = ScoringModel.Score(profile, wantsHigh, ProviderEstimate.For(profile, wantsHigh));

        Assert.Equal(plain.Persistence / 2, shortfall.Persistence, 6);
    }

    [Fact]
    public void Every_mode_weight_row_sums_to_one()
    {
        foreach (var w in new[] { ModeWeights.Balanced, ModeWeights.Fastest, ModeWeights.Cheapest, ModeWeights.Resilient })
        {
            Assert.Equal(1.0, w.Fit + w.Latency + w.Cost + w.Reliability + w.Persistence + w.Health + w.Readiness, 9);
        }
    }
}
