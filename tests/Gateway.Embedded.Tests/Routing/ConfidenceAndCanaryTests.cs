using Cerver.Gateway.Embedded.Routing;
using Xunit;

namespace Cerver.Gateway.Embedded.Tests.Routing;

public class ConfidenceRulesTests
{
    [Theory]
    [InlineData(0.85, 0.60, Confidence.High)]
    [InlineData(0.70, 0.62, Confidence.High)] // both thresholds met exactly
    [InlineData(0.85, 0.80, Confidence.Medium)] // strong score, small gap
    [InlineData(0.60, null, Confidence.Medium)] // alone, but not strong
    [InlineData(0.69, 0.30, Confidence.Medium)]
    [InlineData(0.45, null, Confidence.Low)] // weak score
    [InlineData(0.80, 0.79, Confidence.Low)] // near tie
    public void Bands_follow_top_score_and_gap(double top, double? runnerUp, Confidence expected)
    {
        Assert.Equal(expected, ConfidenceRules.Assess(top, runnerUp));
    }

    [Fact]
    public void Router_reports_low_confidence_on_a_tie()
    {
        var report = Router.Recommend(Build.Request(), Build.Catalog(Build.Profile("a"), Build.Profile("b")), true, "req_1");

        Assert.Equal("low", report.Decision.Confidence);
    }

    [Fact]
    public void Router_reports_high_confidence_for_a_strong_lone_provider()
    {
        var report = Router.Recommend(Build.Request(), Build.Catalog(Build.Profile("a") with { StrongWorkloads = [Workload.General] }), true, "req_1");

        Assert.Equal("high", report.Decision.Confidence);
    }
}

public class CanaryRulesTests
{
    [Fact]
    public void Close_executable_providers_ask_for_a_canary()
    {
        Assert.True(CanaryRules.Decide(Workload.General, RoutingMode.Balanced, [0.80, 0.78]).Run);
    }

    [Fact]
    public void Distant_executable_providers_need_no_canary()
    {
        Assert.False(CanaryRules.Decide(Workload.General, RoutingMode.Balanced, [0.80, 0.70]).Run);
    }

    [Fact]
    public void Long_running_work_always_asks_for_a_canary()
    {
        var decision = CanaryRules.Decide(Workload.LongRunning, RoutingMode.Balanced, [0.80]);

        Assert.True(decision.Run);
        Assert.Contains("long-running", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Resilient_mode_asks_for_a_canary_when_two_executable_providers_exist()
    {
        Assert.True(CanaryRules.Decide(Workload.General, RoutingMode.Resilient, [0.90, 0.40]).Run);
    }

    [Fact]
    public void Resilient_mode_with_one_executable_provider_needs_no_canary()
    {
        Assert.False(CanaryRules.Decide(Workload.General, RoutingMode.Resilient, [0.90]).Run);
    }

    [Fact]
    public void A_close_modeled_runner_up_does_not_trigger_a_canary()
    {
        var catalog = Build.Catalog(Build.Profile("a"), Build.Profile("b") with { Executable = false, ComputeId = null });

        var report = Router.Recommend(Build.Request(), catalog, requireExecutable: false, "req_1");

        Assert.Equal(2, report.Providers.Count(p => p.Status == "viable"));
        Assert.False(report.Decision.CanaryRun);
    }

    [Fact]
    public void Router_sets_canary_run_and_explains_it_for_a_tie()
    {
        var report = Router.Recommend(Build.Request(), Build.Catalog(Build.Profile("a"), Build.Profile("b")), true, "req_1");

        Assert.True(report.Decision.CanaryRun);
        Assert.StartsWith("Canary run:", report.Decision.SecondaryReasons[^1], StringComparison.Ordinal);
        Assert.StartsWith("Run a short canary", report.HumanSummary.NextAction, StringComparison.Ordinal);
    }
}
