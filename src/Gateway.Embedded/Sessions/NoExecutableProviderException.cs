using Cerver.Gateway.Embedded.Routing.Wire;

namespace Cerver.Gateway.Embedded.Sessions;

/// <summary>No executable provider qualified: the caller answers 409 with the recommendation report.</summary>
public sealed class NoExecutableProviderException(RecommendationReport report)
    : Exception("No executable provider satisfies this request; the report says why each one was filtered.")
{
    public RecommendationReport Report { get; } = report;
}
