using Cerver.Gateway.Embedded.Routing.Wire;
using static System.FormattableString;

namespace Cerver.Gateway.Embedded.Routing;

// Every sentence a human or an agent reads in a report comes from here, so the wording
// stays consistent and the router keeps to deciding.
public static class ReasonWriter
{
    public static IReadOnlyList<string> Strengths(ScoredProvider candidate, RoutingRequest request)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(request);
        var p = candidate.Profile;
        var e = candidate.Estimate;
        var policy = request.Policy;
        var reasons = new List<string>();

        if (candidate.Pinned)
        {
            reasons.Add("Pinned by policy.pinned_provider");
        }

        if (request.Target is { } target)
        {
            reasons.Add($"Targeted by target_compute_id {target.WireForm}");
        }

        if (p.StrongWorkloads.Contains(request.Workload))
        {
            reasons.Add($"Tuned for {Phrase(request.Workload)} workloads");
        }

        if (request.Repo.Framework is { } framework && p.Frameworks.Contains(framework))
        {
            reasons.Add($"Suits {framework} projects");
        }

        if (request.Requirements.PublicPreview)
        {
            reasons.Add("Supports public preview");
        }

        if (request.Requirements.Browser)
        {
            reasons.Add("Supports browser automation");
        }

        if (request.Requirements.Desktop)
        {
            reasons.Add("Supports desktop sessions");
        }

        reasons.Add(Invariant($"Predicted startup {e.StartupMs} ms")
            + (policy.MaxStartupMs is { } maxStartup ? Invariant($" within max_startup_ms {maxStartup}") : string.Empty));
        reasons.Add(Invariant($"Estimated cost ${e.CostUsd:0.000}")
            + (policy.MaxCostUsd is { } maxCost ? Invariant($" within max_cost_usd ${maxCost:0.000}") : string.Empty));
        reasons.Add(Invariant($"Uptime {p.UptimePercent:0.##}% with {WireNames.Of(p.Persistence)} persistence"));

        if (p.History is { ProvisionSamples: > 0 } history)
        {
            reasons.Add(Invariant($"Corrected by measured history: {history.ProvisionSamples} provisions, median {history.MedianProvisionMs:0} ms"));
        }

        reasons.Add(p.Executable
            ? "Available for live routing through Cerver today"
            : "Modeled only: scored here, not executable from this gateway");
        return reasons;
    }

    public static string Primary(ScoredProvider winner, IReadOnlyList<ScoredProvider> viable, RoutingRequest request)
    {
        ArgumentNullException.ThrowIfNull(winner);
        ArgumentNullException.ThrowIfNull(viable);
        ArgumentNullException.ThrowIfNull(request);
        var p = winner.Profile;
        var n = viable.Count;
        var among = n == 1 ? "the only viable provider" : Invariant($"{n} viable providers");

        if (request.Target is { } target)
        {
            return $"{p.DisplayName} is the compute target_compute_id {target.WireForm} asked for, and it passes every hard filter.";
        }

        if (winner.Pinned)
        {
            return $"{p.DisplayName} is pinned by policy and passes every hard filter.";
        }

        return request.Policy.Mode switch
        {
            RoutingMode.Fastest when viable.All(v => v.Estimate.StartupMs >= winner.Estimate.StartupMs) =>
                Invariant($"Predicted startup {winner.Estimate.StartupMs} ms, fastest of {among}."),
            RoutingMode.Cheapest when viable.All(v => v.Estimate.CostUsd >= winner.Estimate.CostUsd) =>
                Invariant($"Estimated cost ${winner.Estimate.CostUsd:0.000}, cheapest of {among}."),
            RoutingMode.Resilient =>
                Invariant($"{p.DisplayName} scores best on reliability and persistence among {among} (uptime {p.UptimePercent:0.##}%, {WireNames.Of(p.Persistence)} persistence)."),
            RoutingMode.Fastest or RoutingMode.Cheapest =>
                Invariant($"{p.DisplayName} has the best {WireNames.Of(request.Policy.Mode)}-mode score of {among} once fit and readiness count (score {winner.Score:0.000})."),
            _ => Invariant($"{p.DisplayName} is the best overall fit for {Phrase(request.Workload)} work among {among} (score {winner.Score:0.000})."),
        };
    }

    public static string PinnedFiltered(ScoredProvider pinned)
    {
        ArgumentNullException.ThrowIfNull(pinned);
        return $"Pinned provider {pinned.Profile.Name} was filtered: {string.Join("; ", pinned.FilteredReasons)}";
    }

    public static HumanSummary Summary(ScoredProvider winner, IReadOnlyList<ScoredProvider> fallbacks, bool canary)
    {
        ArgumentNullException.ThrowIfNull(winner);
        ArgumentNullException.ThrowIfNull(fallbacks);
        var name = winner.Profile.DisplayName;
        var start = canary ? $"Run a short canary, then start a session on {name}" : $"Start a session on {name}";
        var next = fallbacks.Count == 0
            ? $"{start}; no other provider qualifies as a fallback."
            : $"{start} and keep {JoinAnd(fallbacks.Select(f => f.Profile.DisplayName))} available.";
        return new HumanSummary($"Route this task through {name}.", next);
    }

    public static string NoWinnerPrimary(IReadOnlyList<ScoredProvider> all, RoutingRequest request, bool requireExecutable)
    {
        ArgumentNullException.ThrowIfNull(all);
        ArgumentNullException.ThrowIfNull(request);
        if (request.Target is { Kind: ComputeTargetKind.Compute } target && all.All(c => c.Profile.ComputeId != target.Value))
        {
            var known = all.Select(c => c.Profile.ComputeId).OfType<string>().ToList();
            return $"target_compute_id '{target.Value}': no such compute; known computes: {(known.Count == 0 ? "none" : string.Join(", ", known))}.";
        }

        if (requireExecutable && all.All(c => !c.Profile.Executable))
        {
            return Invariant($"No executable compute is attached: {all.Count} modeled providers can be scored but none can run a session here.");
        }

        return Invariant($"No provider qualifies: all {all.Count} were filtered by the hard requirements.");
    }

    public static IReadOnlyList<string> EveryFilter(IReadOnlyList<ScoredProvider> all)
    {
        ArgumentNullException.ThrowIfNull(all);
        return [.. all.Select(c => $"{c.Profile.Name}: {string.Join("; ", c.FilteredReasons)}")];
    }

    public static HumanSummary NoWinnerSummary(IReadOnlyList<ScoredProvider> all, bool requireExecutable)
    {
        ArgumentNullException.ThrowIfNull(all);
        var executabilityOnly = requireExecutable && all.Any(c => !c.Profile.Executable && c.FilteredReasons.Count == 1);
        var next = executabilityOnly
            ? "Attach an executable compute (run cerver-relay on this machine or link a relay); modeled providers fit but cannot run here."
            : "Relax the requirements or policy named in decision.secondary_reasons, or attach a compute that meets them.";
        return new HumanSummary("No provider can run this task.", next);
    }

    public static string Phrase(Workload workload) => WireNames.Of(workload).Replace('_', '-');

    private static string JoinAnd(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count == 1 ? list[0] : $"{string.Join(", ", list.Take(list.Count - 1))} and {list[^1]}";
    }
}
