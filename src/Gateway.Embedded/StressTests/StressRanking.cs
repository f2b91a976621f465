using Cerver.Gateway.Embedded.StressTests.Wire;

namespace Cerver.Gateway.Embedded.StressTests;

internal static class StressRanking
{
    // Providers that completed at least one sample, best first: lowest median, then a
    // measured provider before a simulated one, then by name so ties are stable.
    public static IReadOnlyList<ProviderStressResult> Rank(IEnumerable<ProviderStressResult> providers) =>
        [.. providers
            .Where(p => p.Failures < p.Samples && p.MedianMs is not null)
            .OrderBy(p => p.MedianMs!.Value)
            .ThenBy(p => p.Simulated)
            .ThenBy(p => p.Name, StringComparer.Ordinal)];
}
