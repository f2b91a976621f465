using Cerver.Gateway.Embedded.Routing;
using Cerver.Gateway.Embedded.StressTests.Wire;
using static System.FormattableString;

namespace Cerver.Gateway.Embedded.StressTests;

// The human-readable parts of a result: headline, guidance and the policy to adopt next.
internal static class StressReportWriter
{
    public static StressTestReport Write(StressKind kind, Workload workload, IReadOnlyList<ProviderStressResult> providers, IReadOnlyList<ProviderStressResult> ranked)
    {
        var words = StressKinds.Words(kind);
        var workloadName = WireNames.Of(workload);
        var runs = RunsPhrase(providers);
        if (ranked.Count == 0)
        {
            return new StressTestReport(
                $"No provider completed a {words} sample.",
                $"{runs}, every sample failed. {Failures(providers)}".TrimEnd(),
                $"Keep the current routing for {workloadName} runs; fix the failures above and run the stress test again.",
                []);
        }

        var winner = ranked[0];
        var fallbacks = ranked.Skip(1).Select(p => p.Name).ToList();
        var guidance = Invariant($"{runs}, {winner.DisplayName} had the lowest median {StressKinds.Metric(kind)}: {winner.MedianMs:0.#} ms (p95 {winner.P95Ms:0.#} ms")
            + (winner.ThroughputMbPerSecond is { } throughput ? Invariant($", {throughput:0.#} MB/s") : string.Empty)
            + (winner.Drift is { } drift ? Invariant($", drift {drift:0.##}×") : string.Empty)
            + ").";
        if (winner.Simulated)
        {
            guidance += " Its numbers are simulated from the provider's profile, not measured here; confirm with a canary run before relying on them.";
        }

        if (Failures(providers) is { Length: > 0 } failures)
        {
            guidance += " " + failures;
        }

        var nextPolicy = fallbacks.Count > 0
            ? $"Route {workloadName} runs to {winner.Name} first, then fall back to {string.Join(", ", fallbacks)}."
            : $"Route {workloadName} runs to {winner.Name} first; no other provider completed a sample to fall back to.";
        return new StressTestReport($"{winner.DisplayName} is the strongest {words} candidate.", guidance, nextPolicy, fallbacks);
    }

    private static string RunsPhrase(IReadOnlyList<ProviderStressResult> providers)
    {
        var live = providers.Where(p => !p.Simulated).Sum(p => p.Samples);
        var simulated = providers.Where(p => p.Simulated).Sum(p => p.Samples);
        return (live, simulated) switch
        {
            (> 0, > 0) => Invariant($"Across {live} live and {simulated} simulated runs"),
            (> 0, _) => Invariant($"Across {live} live runs"),
            _ => Invariant($"Across {simulated} simulated runs"),
        };
    }

    private static string Failures(IReadOnlyList<ProviderStressResult> providers) =>
        string.Join(" ", providers
            .Where(p => p.Failures > 0)
            .Select(p => Invariant($"{p.Name} failed {p.Failures} of {p.Samples} ({(p.FailureReasons.Count > 0 ? p.FailureReasons[0] : "no reason given")}).")));
}
