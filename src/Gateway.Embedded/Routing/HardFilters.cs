using static System.FormattableString;

namespace Cerver.Gateway.Embedded.Routing;

// The seed's hard filters. Every failing filter is reported, not only the first, so a
// 409 report tells the caller everything they would have to change.
public static class HardFilters
{
    public static IReadOnlyList<string> Check(
        ProviderProfile profile,
        RoutingRequest request,
        ProviderEstimate estimate,
        bool requireExecutable)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(estimate);
        var reasons = new List<string>();
        var req = request.Requirements;
        var policy = request.Policy;

        switch (request.Target)
        {
            case { Kind: ComputeTargetKind.Compute } t when profile.ComputeId != t.Value:
                reasons.Add($"not the targeted compute {t.Value} (target_compute_id)");
                break;
            case { Kind: ComputeTargetKind.Provider } t when !IsProvider(profile, t.Value):
                reasons.Add($"not the targeted provider {t.Value} (target_compute_id {t.WireForm})");
                break;
        }

        if (policy.AllowedProviders.Count > 0
            && !policy.AllowedProviders.Any(allowed => IsProvider(profile, allowed))
            && (profile.ComputeId is null || !policy.AllowedProviders.Contains(profile.ComputeId)))
        {
            reasons.Add($"blocked by policy.allowed_providers ({string.Join(", ", policy.AllowedProviders)})");
        }

        if (requireExecutable && !profile.Executable)
        {
            reasons.Add("not executable from this gateway: modeled for scoring only");
        }

        if (profile.Status == ComputeStatus.Offline)
        {
            reasons.Add(profile.ComputeId is null ? "offline" : $"offline: compute {profile.ComputeId} is not reachable");
        }

        if (req.Runtime is { } runtime && !profile.Runtimes.Contains(runtime))
        {
            reasons.Add($"runtime '{runtime}' not available (offers {string.Join(", ", profile.Runtimes)})");
        }

        if (req.Browser && !profile.Browser)
        {
            reasons.Add("no browser support");
        }

        if (req.Desktop && !profile.Desktop)
        {
            reasons.Add("no desktop support");
        }

        if (req.PublicPreview && !profile.PublicPreview)
        {
            reasons.Add("no public preview support");
        }

        if (req.TimeoutMinutes is { } timeout && timeout > profile.MaxTimeoutMinutes)
        {
            reasons.Add(Invariant($"timeout {timeout} min exceeds the maximum of {profile.MaxTimeoutMinutes} min"));
        }

        if (policy.MaxCostUsd is { } maxCost && estimate.CostUsd > maxCost)
        {
            reasons.Add(Invariant($"estimated cost ${estimate.CostUsd:0.000} exceeds max_cost_usd ${maxCost:0.000}"));
        }

        if (policy.MaxStartupMs is { } maxStartup && estimate.StartupMs > maxStartup)
        {
            reasons.Add(Invariant($"predicted startup {estimate.StartupMs} ms exceeds max_startup_ms {maxStartup}"));
        }

        return reasons;
    }

    // "local" is Cerver's private-compute provider (cerver_local_provider): this machine and
    // every relay linked to it, which the catalog lists by compute id.
    private static bool IsProvider(ProviderProfile profile, string provider) =>
        profile.Name == provider || (provider == ProviderNames.Local && profile.Executable && profile.ComputeId is not null);
}
