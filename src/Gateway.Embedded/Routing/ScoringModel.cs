namespace Cerver.Gateway.Embedded.Routing;

// Weights per mode; each row sums to 1 so a weighted score stays in 0..1.
public sealed record ModeWeights(
    double Fit,
    double Latency,
    double Cost,
    double Reliability,
    double Persistence,
    double Health,
    double Readiness)
{
    public static ModeWeights Balanced { get; } = new(0.35, 0.15, 0.125, 0.125, 0.10, 0.075, 0.075);
    public static ModeWeights Fastest { get; } = new(0.15, 0.55, 0.05, 0.05, 0.05, 0.05, 0.10);
    public static ModeWeights Cheapest { get; } = new(0.15, 0.05, 0.55, 0.05, 0.05, 0.05, 0.10);
    public static ModeWeights Resilient { get; } = new(0.20, 0.05, 0.05, 0.35, 0.25, 0.05, 0.05);

    public static ModeWeights For(RoutingMode mode) => mode switch
    {
        RoutingMode.Fastest => Fastest,
        RoutingMode.Cheapest => Cheapest,
        RoutingMode.Resilient => Resilient,
        _ => Balanced, // pinned scores like balanced, then adds the pin boost
    };
}

public sealed record ScoreBreakdown(
    double Fit,
    double Latency,
    double Cost,
    double Reliability,
    double Persistence,
    double Health,
    double Readiness,
    double Boost,
    double Total);

public static class ScoringModel
{
    // Each component maps to 0..1 with a smooth curve rather than a min-max over the
    // candidates, so a provider's score does not change when an unrelated one is added.
    // Latency: half score at LatencyHalfMs of startup plus first exec.
    public const double LatencyHalfMs = 1000;

    // Cost: half score at CostHalfUsd per session.
    public const double CostHalfUsd = 0.10;

    // Reliability: uptime below UptimeFloorPercent scores 0, 100 % scores 1.
    public const double UptimeFloorPercent = 95;

    // Fit: every viable provider gets the base; tuned-for-workload and framework
    // affinity add the rest.
    public const double FitBase = 0.55;
    public const double FitWorkloadBonus = 0.35;
    public const double FitFrameworkBonus = 0.10;

    // A provider that can only be modeled here is less ready than one we can run now.
    public const double ModeledReadiness = 0.4;

    // Pinned mode: added to the pinned provider's balanced score (capped at 1); the router
    // also ranks a viable pinned provider first, so the pin always wins when it can.
    public const double PinnedBoost = 0.5;

    public static ScoreBreakdown Score(ProviderProfile profile, RoutingRequest request, ProviderEstimate estimate)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(estimate);

        var fit = FitBase
            + (profile.StrongWorkloads.Contains(request.Workload) ? FitWorkloadBonus : 0)
            + (request.Repo.Framework is { } fw && profile.Frameworks.Contains(fw) ? FitFrameworkBonus : 0);
        var latency = LatencyHalfMs / (LatencyHalfMs + estimate.StartupMs + estimate.ExecMs);
        var cost = CostHalfUsd / (CostHalfUsd + estimate.CostUsd);
        var reliability = Math.Clamp((profile.UptimePercent - UptimeFloorPercent) / (100 - UptimeFloorPercent), 0, 1);
        var persistence = PersistenceScore(profile.Persistence, request.Requirements.Persistence);
        var health = profile.Status == ComputeStatus.Online ? 1.0 : 0.5;
        var readiness = profile.Executable ? 1.0 : ModeledReadiness;

        var w = ModeWeights.For(request.Policy.Mode);
        var weighted = (w.Fit * fit) + (w.Latency * latency) + (w.Cost * cost) + (w.Reliability * reliability)
            + (w.Persistence * persistence) + (w.Health * health) + (w.Readiness * readiness);
        var boost = IsPinned(profile, request) ? PinnedBoost : 0;
        return new ScoreBreakdown(fit, latency, cost, reliability, persistence, health, readiness, boost, Round3(Math.Min(1, weighted + boost)));
    }

    public static bool IsPinned(ProviderProfile profile, RoutingRequest request)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(request);
        return request.Policy.Mode == RoutingMode.Pinned
            && request.Policy.PinnedProvider is { } pin
            && (pin == profile.Name || pin == profile.ComputeId);
    }

    public static double Round3(double value) => Math.Round(value, 3, MidpointRounding.AwayFromZero);

    // More persistence is better; falling short of what the request asked for halves it.
    private static double PersistenceScore(PersistenceLevel offered, PersistenceLevel? wanted)
    {
        var score = ((int)offered + 1) / 3.0;
        return wanted is { } w && offered < w ? score / 2 : score;
    }
}
