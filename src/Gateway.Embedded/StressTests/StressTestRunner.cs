using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Routing;
using Cerver.Gateway.Embedded.StressTests.Probes;
using Cerver.Gateway.Embedded.StressTests.Wire;
using Cerver.Relay.Compute.Contract;

namespace Cerver.Gateway.Embedded.StressTests;

// Runs a validated stress test: live on every executable provider (real sandboxes, real
// processes, one provider after the other so they do not compete for the machine), and
// simulated from the profile for every modeled provider.
public sealed class StressTestRunner(IComputeDirectory computes, TimeProvider time)
{
    private const int MaxFailureReasons = 5;

    // How long a sandbox of a stress test may live if its deletion is ever lost.
    private const int SandboxMinutes = 30;

    public static string NewTestId() => "test_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public Task<StressTestResult> RunAsync(StressTestRequest request, CancellationToken cancellationToken) =>
        RunAsync(request, NewTestId(), cancellationToken);

    // The test id seeds the simulated numbers: the same request with the same id gives
    // the same simulated entries.
    public async Task<StressTestResult> RunAsync(StressTestRequest request, string testId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(testId);

        var entries = new List<ProviderStressResult>(request.Providers.Count);
        foreach (var profile in request.Providers)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var simulated = !profile.Executable;
            var samples = simulated
                ? SimulatedProbe.Measure(request.Kind, profile, request.SampleSize, testId)
                : await MeasureLiveAsync(request, profile, testId, cancellationToken);
            entries.Add(Summarize(request.Kind, profile, simulated, samples));
        }

        var ranked = StressRanking.Rank(entries);
        var report = StressReportWriter.Write(request.Kind, request.Workload, entries, ranked);
        return new StressTestResult(
            testId,
            StressKinds.WireName(request.Kind),
            WireNames.Of(request.Workload),
            request.SampleSize,
            ranked.Count > 0 ? ranked[0].Name : null,
            report.Headline,
            report,
            request.Task,
            entries);
    }

    private async Task<IReadOnlyList<ProbeSample>> MeasureLiveAsync(StressTestRequest request, ProviderProfile profile, string testId, CancellationToken cancellationToken)
    {
        var compute = (profile.ComputeId is { } id ? computes.Find(id) : null) ?? computes.Find(profile.Name);
        if (compute is null)
        {
            var count = request.Kind == StressKind.LongSession ? LongSessionProbe.RunsFor(request.SampleSize) : request.SampleSize;
            return [.. Enumerable.Repeat(ProbeSample.Failed($"compute {profile.ComputeId ?? profile.Name} is not reachable from this gateway"), count)];
        }

        var sandbox = new CreateSandboxRequest
        {
            Runtime = request.Routing.Requirements.Runtime,
            TimeoutMinutes = SandboxMinutes,
            Metadata = new JsonObject { ["purpose"] = "stress_test", ["test_id"] = testId, ["kind"] = StressKinds.WireName(request.Kind) },
        };
        var context = new LiveProbeContext(compute, time, request.SampleSize, sandbox);
        await LiveProbe.WarmUpAsync(context, cancellationToken);
        return await LiveProbe.For(request.Kind).MeasureAsync(context, cancellationToken);
    }

    private static ProviderStressResult Summarize(StressKind kind, ProviderProfile profile, bool simulated, IReadOnlyList<ProbeSample> samples)
    {
        var ok = samples.Where(s => s.Succeeded).ToList();
        var ms = ok.Select(s => s.Ms!.Value).ToList();
        return new ProviderStressResult(
            profile.Name,
            profile.DisplayName,
            profile.ComputeId,
            simulated,
            samples.Count,
            samples.Count - ok.Count,
            SampleStats.Round(SampleStats.Median(ms)),
            SampleStats.Round(SampleStats.NearestRank(ms, 95)),
            ms.Count > 0 ? SampleStats.Round(ms.Min()) : null,
            ms.Count > 0 ? SampleStats.Round(ms.Max()) : null,
            [.. ms.Select(SampleStats.Round)],
            [.. samples.Select(s => s.Failure).OfType<string>().Distinct(StringComparer.Ordinal).Take(MaxFailureReasons)])
        {
            ThroughputMbPerSecond = kind == StressKind.StreamResponse ? SampleStats.Round(SampleStats.Median([.. ok.Select(s => s.ThroughputMbPerSecond ?? 0)])) : null,
            StreamTotalMs = kind == StressKind.StreamResponse ? SampleStats.Round(SampleStats.Median([.. ok.Select(s => s.StreamTotalMs ?? 0)])) : null,
            StreamBytes = kind == StressKind.StreamResponse ? StreamResponseProbe.Bytes : null,
            Drift = kind == StressKind.LongSession ? SampleStats.Drift(ms) : null,
        };
    }
}
