using System.Text.Json.Serialization;

namespace Cerver.Gateway.Embedded.StressTests.Wire;

// The seed's "Stress-test result" (contract/gateway-stress-test.response.json). The seed
// mixes camelCase at the top (testId, sampleSize) with snake_case inside the report
// (next_policy), so every name is spelled out here rather than left to a naming policy.
// Fields beyond the contract are additions; none of the contract's names may change.
public sealed record StressTestResult(
    [property: JsonPropertyName("testId")] string TestId,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("workload")] string Workload,
    [property: JsonPropertyName("sampleSize")] int SampleSize,
    [property: JsonPropertyName("winner")] string? Winner,
    [property: JsonPropertyName("summary")] string Summary,
    [property: JsonPropertyName("report")] StressTestReport Report,
    [property: JsonPropertyName("task")] string Task,
    [property: JsonPropertyName("providers")] IReadOnlyList<ProviderStressResult> Providers);

public sealed record StressTestReport(
    [property: JsonPropertyName("headline")] string Headline,
    [property: JsonPropertyName("guidance")] string Guidance,
    [property: JsonPropertyName("next_policy")] string NextPolicy,
    [property: JsonPropertyName("fallback_order")] IReadOnlyList<string> FallbackOrder);

// One provider's numbers. median_ms and p95_ms measure what StressKinds.Metric names for
// the kind; they are null when no sample succeeded. Kind-specific numbers are null for
// the other kinds.
public sealed record ProviderStressResult(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("display_name")] string DisplayName,
    [property: JsonPropertyName("compute_id")] string? ComputeId,
    [property: JsonPropertyName("simulated")] bool Simulated,
    [property: JsonPropertyName("samples")] int Samples,
    [property: JsonPropertyName("failures")] int Failures,
    [property: JsonPropertyName("median_ms")] double? MedianMs,
    [property: JsonPropertyName("p95_ms")] double? P95Ms,
    [property: JsonPropertyName("min_ms")] double? MinMs,
    [property: JsonPropertyName("max_ms")] double? MaxMs,
    [property: JsonPropertyName("samples_ms")] IReadOnlyList<double> SamplesMs,
    [property: JsonPropertyName("failure_reasons")] IReadOnlyList<string> FailureReasons)
{
    // stream_response: median megabytes (10^6 bytes) per second over the whole stream.
    [JsonPropertyName("throughput_mb_s")]
    public double? ThroughputMbPerSecond { get; init; }

    // stream_response: median time from the request to the exit event.
    [JsonPropertyName("stream_total_ms")]
    public double? StreamTotalMs { get; init; }

    // stream_response: bytes one sample streams.
    [JsonPropertyName("stream_bytes")]
    public long? StreamBytes { get; init; }

    // long_session: median of the last quarter of runs / median of the first quarter.
    [JsonPropertyName("drift")]
    public double? Drift { get; init; }
}

// GET /gateway/stress-tests: this gateway's latest tests, newest first, each with when it finished.
public sealed record FinishedStressTest(
    [property: JsonPropertyName("finished_at")] DateTimeOffset FinishedAt,
    [property: JsonPropertyName("result")] StressTestResult Result);

public sealed record StressTestList([property: JsonPropertyName("stress_tests")] IReadOnlyList<FinishedStressTest> StressTests);
