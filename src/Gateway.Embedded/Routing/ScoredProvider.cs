namespace Cerver.Gateway.Embedded.Routing;

// One catalog entry judged against one request: filtered (with every reason) or scored.
public sealed record ScoredProvider(
    ProviderProfile Profile,
    ProviderEstimate Estimate,
    IReadOnlyList<string> FilteredReasons,
    ScoreBreakdown? Breakdown,
    bool Pinned)
{
    public bool Viable => FilteredReasons.Count == 0;

    public double Score => Breakdown?.Total ?? 0;
}
