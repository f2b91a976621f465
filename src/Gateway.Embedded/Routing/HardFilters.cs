using static System.FormattableString;

namespace Cerver.Gateway.Embedded.Routing;

/// <summary>One hard filter a provider failed: what the report says, and what the caller would change to let it through.</summary>
public sealed record Exclusion(string Reason, string Fix);

// The seed's hard filters. Every failing filter is reported, not only the first, so a
// 409 report tells the caller everything they would have to change.
public static class HardFilters
{
    public static IReadOnlyList<string> Check(
        ProviderProfile profile,
        RoutingRequest request,
        ProviderEstimate estimate,
        bool requireExecutable) =>
        [.. Exclusions(profile, request, estimate, requireExecutable).Select(exclusion => exclusion.Reason)];

    /// <summary>The failing filters with the change that would lift each one (the 409's <c>next_action</c> names them).</summary>
    public static IReadOnlyList<Exclusion> Exclusions(
        ProviderProfile profile,
        RoutingRequest request,
        ProviderEstimate estimate,
        bool requireExecutable)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(estimate);
        var reasons = new List<Exclusion>();
        var req = request.Requirements;
        var policy = request.Policy;

        switch (request.Target)
        {
            case { Kind: ComputeTargetKind.Compute } t when profile.ComputeId != t.Value:
                reasons.Add(new($"not the targeted compute {t.Value} (target_compute_id)", "drop target_compute_id or name this compute in it"));
                break;
            case { Kind: ComputeTargetKind.Provider } t when !IsProvider(profile, t.Value):
                reasons.Add(new($"not the targeted provider {t.Value} (target_compute_id {t.WireForm})", "drop target_compute_id or name this compute in it"));
                break;
        }

        if (policy.AllowedProviders.Count > 0
            && !policy.AllowedProviders.Any(allowed => IsProvider(profile, allowed))
            && (profile.ComputeId is null || !policy.AllowedProviders.Contains(profile.ComputeId)))
        {
            reasons.Add(new(
                $"blocked by policy.allowed_providers ({string.Join(", ", policy.AllowedProviders)})",
                $"add \"{(profile.Executable ? ProviderNames.Local : profile.Name)}\" to policy.allowed_providers (or leave the list out)"));
        }

        if (requireExecutable && !profile.Executable)
        {
            reasons.Add(new("not executable from this gateway: modeled for scoring only", "attach an executable compute"));
        }

        if (profile.Status == ComputeStatus.Offline)
        {
            reasons.Add(new(
                profile.ComputeId is null ? "offline" : $"offline: compute {profile.ComputeId} is not reachable",
                "wait until the compute is back online"));
        }

        if (req.Runtime is { } runtime && !profile.Runtimes.Contains(runtime))
        {
            reasons.Add(new(
                $"runtime '{runtime}' not available (offers {string.Join(", ", profile.Runtimes)})",
                $"ask for requirements.runtime {string.Join(", ", profile.Runtimes.Select(r => $"'{r}'"))} instead of '{runtime}' (or leave it out)"));
        }

        if (req.Browser && !profile.Browser)
        {
            reasons.Add(new("no browser support", "drop requirements.browser"));
        }

        if (req.Desktop && !profile.Desktop)
        {
            reasons.Add(new("no desktop support", "drop requirements.desktop"));
        }

        if (req.PublicPreview && !profile.PublicPreview)
        {
            reasons.Add(new("no public preview support", "drop requirements.public_preview"));
        }

        if (req.TimeoutMinutes is { } timeout && timeout > profile.MaxTimeoutMinutes)
        {
            reasons.Add(new(
                Invariant($"timeout {timeout} min exceeds the maximum of {profile.MaxTimeoutMinutes} min"),
                Invariant($"set requirements.timeout_minutes to {profile.MaxTimeoutMinutes} or less")));
        }

        if (policy.MaxCostUsd is { } maxCost && estimate.CostUsd > maxCost)
        {
            reasons.Add(new(
                Invariant($"estimated cost ${estimate.CostUsd:0.000} exceeds max_cost_usd ${maxCost:0.000}"),
                Invariant($"raise policy.max_cost_usd to {estimate.CostUsd:0.000} or more")));
        }

        if (policy.MaxStartupMs is { } maxStartup && estimate.StartupMs > maxStartup)
        {
            reasons.Add(new(
                Invariant($"predicted startup {estimate.StartupMs} ms exceeds max_startup_ms {maxStartup}"),
                Invariant($"raise policy.max_startup_ms to {estimate.StartupMs} or more")));
        }

        return reasons;
    }

    // "local" is Cerver's private-compute provider (cerver_local_provider): this machine and
    // every relay linked to it, which the catalog lists by compute id.
    private static bool IsProvider(ProviderProfile profile, string provider) =>
        profile.Name == provider || (provider == ProviderNames.Local && profile.Executable && profile.ComputeId is not null);
}
