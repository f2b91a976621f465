using Cerver.Gateway.Embedded.Routing.Wire;

namespace Cerver.Gateway.Embedded.Routing;

// Pure and deterministic: same request and snapshot, same report. No clock, no I/O;
// the request id comes from the caller.
public static class Router
{
    public static RecommendationReport Recommend(
        RoutingRequest request,
        CatalogSnapshot catalog,
        bool requireExecutable,
        string requestId)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(requestId);

        var all = catalog.Profiles.Select(p => Judge(p, request, requireExecutable)).ToList();

        // A viable pinned provider ranks first even if its boosted score ties or trails:
        // a pin is the caller's decision, the boost only makes the numbers agree with it.
        var ranked = all.Where(c => c.Viable)
            .OrderByDescending(c => c.Pinned)
            .ThenByDescending(c => c.Score)
            .ThenBy(c => c.Profile.Name, StringComparer.Ordinal)
            .ToList();

        var providers = ranked.Select(c => Assess(c, request))
            .Concat(all.Where(c => !c.Viable).Select(c => Assess(c, request)))
            .ToList();
        var workload = WireNames.Of(request.Workload);

        if (ranked.Count == 0)
        {
            var none = new RoutingDecision(
                RecommendedProvider: null,
                RecommendedComputeId: null,
                WireNames.Of(Confidence.Low),
                ReasonWriter.NoWinnerPrimary(all, request, requireExecutable),
                ReasonWriter.EveryFilter(all),
                FallbackOrder: [],
                CanaryRun: false);
            return new RecommendationReport(requestId, request.Task, workload, providers, none, ReasonWriter.NoWinnerSummary(all, request, requireExecutable));
        }

        var winner = ranked[0];
        var fallbacks = ranked.Skip(1).ToList();
        var confidence = ConfidenceRules.Assess(winner.Score, fallbacks.FirstOrDefault()?.Score);
        var canary = CanaryRules.Decide(
            request.Workload,
            request.Policy.Mode,
            [.. ranked.Where(c => c.Profile.Executable).Select(c => c.Score)]);

        var secondary = new List<string>();
        if (all.FirstOrDefault(c => c.Pinned && !c.Viable) is { } filteredPin)
        {
            secondary.Add(ReasonWriter.PinnedFiltered(filteredPin));
        }

        secondary.AddRange(ReasonWriter.Strengths(winner, request));
        if (canary.Reason is { } canaryReason)
        {
            secondary.Add(canaryReason);
        }

        var decision = new RoutingDecision(
            winner.Profile.Name,
            winner.Profile.ComputeId,
            WireNames.Of(confidence),
            ReasonWriter.Primary(winner, ranked, request),
            secondary,
            [.. fallbacks.Select(f => f.Profile.Name)],
            canary.Run);
        return new RecommendationReport(requestId, request.Task, workload, providers, decision, ReasonWriter.Summary(winner, fallbacks, canary.Run, all, request));
    }

    private static ScoredProvider Judge(ProviderProfile profile, RoutingRequest request, bool requireExecutable)
    {
        var estimate = ProviderEstimate.For(profile, request);
        var filtered = HardFilters.Check(profile, request, estimate, requireExecutable);
        var breakdown = filtered.Count == 0 ? ScoringModel.Score(profile, request, estimate) : null;
        return new ScoredProvider(profile, estimate, filtered, breakdown, ScoringModel.IsPinned(profile, request));
    }

    private static ProviderAssessment Assess(ScoredProvider c, RoutingRequest request) => new(
        c.Profile.Name,
        c.Viable ? ProviderAssessment.Viable : ProviderAssessment.Filtered,
        c.Score,
        c.Estimate.CostUsd,
        c.Profile.DisplayName,
        c.Profile.ComputeId,
        c.Profile.Executable,
        c.Estimate.StartupMs,
        c.Viable ? ReasonWriter.Strengths(c, request) : [],
        c.FilteredReasons);
}
