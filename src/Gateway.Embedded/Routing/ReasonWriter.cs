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

    /// <summary>
    /// The summary of a report with a winner. A modeled winner (a recommendation made without
    /// <c>requireExecutable</c>) is never presented as somewhere to start a session: the summary
    /// says this gateway cannot run it and names what can, or what kept this machine out.
    /// </summary>
    public static HumanSummary Summary(ScoredProvider winner, IReadOnlyList<ScoredProvider> fallbacks, bool canary, IReadOnlyList<ScoredProvider> all, RoutingRequest request)
    {
        ArgumentNullException.ThrowIfNull(winner);
        ArgumentNullException.ThrowIfNull(fallbacks);
        ArgumentNullException.ThrowIfNull(all);
        ArgumentNullException.ThrowIfNull(request);
        var name = winner.Profile.DisplayName;
        if (!winner.Profile.Executable)
        {
            var cannot = $"{name} is modeled only: this gateway cannot start a session there";
            string next;
            if (fallbacks.FirstOrDefault(f => f.Profile.Executable) is { } runnable)
            {
                next = $"{cannot}. Start the session on {runnable.Profile.DisplayName} ({runnable.Profile.Name}), the best fit that runs here, or use {name} through a gateway that executes it.";
            }
            else if (ExcludedExecutables(all, request, requireExecutable: false) is { Length: > 0 } excluded)
            {
                next = $"{cannot}, and nothing that runs here qualifies: {excluded}";
            }
            else
            {
                next = $"{cannot}, and no executable compute is attached: run cerver-relay on a machine and link it to this gateway.";
            }

            return new HumanSummary($"Route this task through {name}.", next);
        }

        var start = canary ? $"Run a short canary, then start a session on {name}" : $"Start a session on {name}";
        var then = fallbacks.Count == 0
            ? $"{start}; no other provider qualifies as a fallback."
            : $"{start} and keep {JoinAnd(fallbacks.Select(f => f.Profile.DisplayName))} available.";
        return new HumanSummary($"Route this task through {name}.", then);
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

    /// <summary>
    /// Why nothing qualified, as the change that would make it run: which requirement or
    /// allow-list kept each executable compute (this machine, linked relays) out. Only when no
    /// executable compute is attached at all does it ask for one.
    /// </summary>
    public static HumanSummary NoWinnerSummary(IReadOnlyList<ScoredProvider> all, RoutingRequest request, bool requireExecutable)
    {
        ArgumentNullException.ThrowIfNull(all);
        ArgumentNullException.ThrowIfNull(request);
        if (ExcludedExecutables(all, request, requireExecutable) is { Length: > 0 } excluded)
        {
            return new HumanSummary("No provider can run this task.", excluded);
        }

        var executabilityOnly = requireExecutable && all.Any(c => !c.Profile.Executable && c.FilteredReasons.Count == 1);
        var next = executabilityOnly
            ? "Attach an executable compute (run cerver-relay on a machine and link it to this gateway); modeled providers fit but cannot run here."
            : "Relax the requirements or policy named in decision.secondary_reasons, or attach a compute that meets them.";
        return new HumanSummary("No provider can run this task.", next);
    }

    /// <summary>
    /// "this machine (x) was excluded by …; to run it here: …" for every executable compute the
    /// hard filters kept out, or an empty string when there is none.
    /// </summary>
    private static string ExcludedExecutables(IReadOnlyList<ScoredProvider> all, RoutingRequest request, bool requireExecutable)
    {
        var sentences = all
            .Where(c => c.Profile.Executable && !c.Viable)
            .Select(c => (c.Profile, Exclusions: HardFilters.Exclusions(c.Profile, request, c.Estimate, requireExecutable)))
            .Where(c => c.Exclusions.Count > 0)
            .Select(c => $"{c.Profile.DisplayName} ({c.Profile.Name}) was excluded by {string.Join(" and ", c.Exclusions.Select(e => e.Reason))}; "
                + $"to run it here, {string.Join(", and ", c.Exclusions.Select(e => e.Fix).Distinct(StringComparer.Ordinal))}.")
            .ToList();
        return string.Join(" ", sentences);
    }

    public static string Phrase(Workload workload) => WireNames.Of(workload).Replace('_', '-');

    private static string JoinAnd(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count == 1 ? list[0] : $"{string.Join(", ", list.Take(list.Count - 1))} and {list[^1]}";
    }
}
