using Cerver.Gateway.Embedded.Routing.Wire;

namespace Cerver.Gateway.Embedded.StressTests.Wire;

// The body of POST /gateway/stress-tests as it arrives (snake_case, like the seed's
// "Stress-test request"). Everything stays optional and stringly typed so that
// StressTestRequestValidator can name the exact field that is wrong.
public sealed record StressTestRequestBody
{
    public string? Task { get; init; }
    public string? Kind { get; init; }
    public string? Workload { get; init; }
    public IReadOnlyList<string?>? Providers { get; init; }
    public int? SampleSize { get; init; }
    public RequirementsBody? Requirements { get; init; }
    public PolicyBody? Policy { get; init; }
}
