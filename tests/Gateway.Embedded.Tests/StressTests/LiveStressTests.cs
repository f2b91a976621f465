using Cerver.Gateway.Embedded.StressTests;
using Cerver.Gateway.Embedded.StressTests.Wire;
using Cerver.Relay.Compute;
using Cerver.Relay.Compute.Sandboxes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Cerver.Gateway.Embedded.Tests.StressTests;

// Every kind against a real LocalCompute: a temp relay folder, a real SQLite file and
// real processes. No timing thresholds: the numbers must exist and be consistent, and
// nothing may be left behind.
public sealed class LiveStressTests : IDisposable
{
    private const int SampleSize = 3;

    private readonly string _relay = Directory.CreateTempSubdirectory("stress-").FullName;
    private readonly ServiceProvider _services;
    private readonly RecordingCompute _compute;
    private readonly StressTestRunner _runner;

    public LiveStressTests()
    {
        var services = new ServiceCollection();
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddLocalCompute(options =>
        {
            options.RelayDirectory = _relay;
            options.ComputeId = StressBuild.LocalComputeId;
            options.Isolation = "none";
        });
        _services = services.BuildServiceProvider();
        _compute = new RecordingCompute(_services.GetRequiredService<LocalCompute>());
        _runner = new StressTestRunner(StaticComputeDirectory.ForLocal(_compute), TimeProvider.System);
    }

    [Theory]
    [InlineData("cold_start")]
    [InlineData("stream_response")]
    [InlineData("package_install")]
    [InlineData("preview_launch")]
    public async Task Each_kind_measures_local_live_in_a_fresh_sandbox_per_sample(string kind)
    {
        var result = await RunLocalAsync(kind);

        var local = StressBuild.Entry(result, "local");
        Assert.False(local.Simulated);
        Assert.True(local.Failures == 0, string.Join("; ", local.FailureReasons));
        Assert.Equal(SampleSize, local.Samples);
        Assert.Equal(SampleSize, local.SamplesMs.Count);
        Assert.All(local.SamplesMs, ms => Assert.True(ms > 0, $"{kind}: a sample of {ms} ms"));
        Assert.True(local.MedianMs > 0);
        Assert.True(local.P95Ms >= local.MedianMs);
        Assert.Equal(StressBuild.LocalComputeId, local.ComputeId);
        Assert.Equal("local", result.Winner);
        Assert.Equal(1 + SampleSize, _compute.Created.Count); // one untimed warm-up, then one per sample
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Stream_response_reports_first_byte_and_throughput_of_the_full_mebibyte()
    {
        var local = StressBuild.Entry(await RunLocalAsync("stream_response"), "local");

        Assert.True(local.Failures == 0, string.Join("; ", local.FailureReasons));
        Assert.Equal(1024 * 1024, local.StreamBytes);
        Assert.True(local.ThroughputMbPerSecond > 0);
        Assert.True(local.StreamTotalMs >= local.MedianMs, "the whole stream cannot end before its first byte");
        Assert.Null(local.Drift);
    }

    [Fact]
    public async Task Long_session_runs_four_times_the_sample_size_in_one_sandbox_and_reports_drift()
    {
        var result = await RunLocalAsync("long_session");

        var local = StressBuild.Entry(result, "local");
        Assert.False(local.Simulated);
        Assert.True(local.Failures == 0, string.Join("; ", local.FailureReasons));
        Assert.Equal(SampleSize * 4, local.Samples);
        Assert.Equal(SampleSize, result.SampleSize);
        Assert.True(local.Drift > 0);
        Assert.Null(local.ThroughputMbPerSecond);
        Assert.Equal(2, _compute.Created.Count); // the warm-up and the session
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Live_and_simulated_providers_are_reported_side_by_side()
    {
        var request = StressBuild.Request("""{"kind": "cold_start", "workload": "coding", "providers": ["e2b", "cerver_local"], "sample_size": 2}""");

        var result = await _runner.RunAsync(request, "test_mixed", TestContext.Current.CancellationToken);

        Assert.Equal(["e2b", "local"], result.Providers.Select(p => p.Name));
        Assert.True(StressBuild.Entry(result, "e2b").Simulated);
        Assert.False(StressBuild.Entry(result, "local").Simulated);
        Assert.StartsWith("Across 2 live and 2 simulated runs, ", result.Report.Guidance, StringComparison.Ordinal);
        Assert.Equal(3, _compute.Created.Count);
        await AssertNothingLeftAsync();
        TestContext.Current.TestOutputHelper!.WriteLine(System.Text.Json.JsonSerializer.Serialize(result, StressTestResultJsonContext.Default.StressTestResult));
    }

    [Fact]
    public async Task Cancelling_mid_sample_propagates_and_still_deletes_the_sandbox()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var runs = 0;
        _compute.BeforeRun = () =>
        {
            if (++runs == 2)
            {
                cancel.Cancel(); // the first run is the warm-up's
            }
        };
        var request = StressBuild.Request("""{"kind": "cold_start", "providers": ["local"], "sample_size": 5}""");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _runner.RunAsync(request, cancel.Token));

        Assert.Equal(2, _compute.Created.Count);
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Cancelling_a_long_session_deletes_its_sandbox()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var runs = 0;
        _compute.BeforeRun = () =>
        {
            if (++runs == 4)
            {
                cancel.Cancel();
            }
        };
        var request = StressBuild.Request("""{"kind": "long_session", "providers": ["local"], "sample_size": 5}""");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _runner.RunAsync(request, cancel.Token));

        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task An_executable_provider_the_gateway_cannot_reach_fails_every_sample_with_the_reason()
    {
        var runner = new StressTestRunner(new StaticComputeDirectory([]), TimeProvider.System);
        var request = StressBuild.Request("""{"kind": "cold_start", "providers": ["local", "vercel"], "sample_size": 2}""");

        var result = await runner.RunAsync(request, TestContext.Current.CancellationToken);

        var local = StressBuild.Entry(result, "local");
        Assert.False(local.Simulated);
        Assert.Equal(2, local.Failures);
        Assert.Null(local.MedianMs);
        Assert.Contains("not reachable", Assert.Single(local.FailureReasons), StringComparison.Ordinal);
        Assert.Equal("vercel", result.Winner);
        Assert.Contains("local failed 2 of 2", result.Report.Guidance, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_runtime_is_counted_as_failures_not_thrown()
    {
        var request = StressBuild.Request("""{"kind": "cold_start", "providers": ["local"], "sample_size": 2, "requirements": {"runtime": "cobol"}}""");

        var result = await _runner.RunAsync(request, TestContext.Current.CancellationToken);

        var local = StressBuild.Entry(result, "local");
        Assert.Equal(2, local.Failures);
        Assert.StartsWith("invalid_request: runtime", Assert.Single(local.FailureReasons), StringComparison.Ordinal);
        Assert.Null(result.Winner);
        Assert.Equal("No provider completed a cold start sample.", result.Summary);
        await AssertNothingLeftAsync();
    }

    private Task<StressTestResult> RunLocalAsync(string kind) =>
        _runner.RunAsync(
            StressBuild.Request($$"""{"kind": "{{kind}}", "workload": "coding", "providers": ["local"], "sample_size": {{SampleSize}}}"""),
            TestContext.Current.CancellationToken);

    private async Task AssertNothingLeftAsync()
    {
        Assert.Empty(await _compute.ListSandboxesAsync(CancellationToken.None));
        Assert.Equal(_compute.Created.Order(StringComparer.Ordinal), _compute.Deleted.Order(StringComparer.Ordinal));
        var sandboxes = Path.Combine(_relay, "sandboxes");
        Assert.True(!Directory.Exists(sandboxes) || !Directory.EnumerateFileSystemEntries(sandboxes).Any(), "a workspace was left behind");
    }

    public void Dispose()
    {
        _services.Dispose();
        Directory.Delete(_relay, recursive: true);
    }
}
