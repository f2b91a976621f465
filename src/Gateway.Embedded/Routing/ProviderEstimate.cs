namespace Cerver.Gateway.Embedded.Routing;

// What one session on a provider is predicted to cost and how long it takes to start,
// for this request. Filters and scoring read the same numbers, so they never disagree.
public sealed record ProviderEstimate(double CostUsd, int StartupMs, int ExecMs)
{
    // Without a timeout the cost of a session is priced at this length; it is the
    // typical agent session, not a ceiling.
    public const int DefaultSessionMinutes = 10;

    public static ProviderEstimate For(ProviderProfile profile, RoutingRequest request)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(request);
        var minutes = request.Requirements.TimeoutMinutes ?? DefaultSessionMinutes;
        return new ProviderEstimate(
            Math.Round(profile.Cost.Estimate(minutes), 3, MidpointRounding.AwayFromZero),
            profile.StartupMs,
            profile.ExecMs);
    }
}
