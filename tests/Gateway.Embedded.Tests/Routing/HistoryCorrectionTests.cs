using Cerver.Gateway.Embedded.Routing;
using Xunit;

namespace Cerver.Gateway.Embedded.Tests.Routing;

public class HistoryCorrectionTests
{
    [Fact]
    public void No_samples_keep_the_baseline()
    {
        Assert.Equal(250, HistoryCorrection.Blend(250, 9999, 0));
    }

    [Fact]
    public void Samples_pull_the_estimate_towards_the_measurement_by_count()
    {
        // (5 * 250 + 20 * 2250) / 25
        Assert.Equal(1850, HistoryCorrection.Blend(250, 2250, 20));
        Assert.Equal((5 * 250 + 2250) / 6.0, HistoryCorrection.Blend(250, 2250, 1));
    }

    [Fact]
    public void Local_profile_startup_exec_and_uptime_follow_measured_history()
    {
        var history = new ComputeObservations(ProvisionSamples: 20, MedianProvisionMs: 2250, ExecSamples: 5, MedianExecMs: 150, HeartbeatSamples: 95, UptimePercent: 90);

        var profile = ProviderCatalog.ProfileOf(Build.Local(history));

        Assert.Equal(1850, profile.StartupMs);
        Assert.Equal(100, profile.ExecMs); // (5*50 + 5*150) / 10
        Assert.Equal(90.45, profile.UptimePercent); // (5*99 + 95*90) / 100
        Assert.Same(history, profile.History);
    }

    [Fact]
    public void Measured_history_changes_the_predicted_startup_in_the_report_and_the_filter()
    {
        var request = RoutingRequest.Default with { Policy = RoutingPolicy.Default with { MaxStartupMs = 1000 } };
        var fresh = ProviderCatalog.Snapshot([Build.Local()]);
        var slow = ProviderCatalog.Snapshot([Build.Local(new ComputeObservations(20, 2250, 0, 0, 0, 0))]);

        var before = Router.Recommend(request, fresh, true, "req_1");
        var after = Router.Recommend(request, slow, true, "req_2");

        Assert.Equal(ProviderCatalog.LocalStartupBaselineMs, Build.Provider(before, "local").PredictedStartupMs);
        Assert.Equal("local", before.Decision.RecommendedProvider);
        Assert.Equal(1850, Build.Provider(after, "local").PredictedStartupMs);
        Assert.Null(after.Decision.RecommendedProvider);
        Assert.Contains("predicted startup 1850 ms exceeds max_startup_ms 1000", Build.Provider(after, "local").FilteredReasons);
    }

    [Fact]
    public void History_is_named_in_the_reasons()
    {
        var report = Router.Recommend(RoutingRequest.Default, ProviderCatalog.Snapshot([Build.Local(new ComputeObservations(20, 2250, 0, 0, 0, 0))]), true, "req_1");

        Assert.Contains("Corrected by measured history: 20 provisions, median 2250 ms", report.Decision.SecondaryReasons);
    }
}
