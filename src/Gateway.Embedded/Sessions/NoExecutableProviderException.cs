using Cerver.Gateway.Embedded.Routing.Wire;

namespace Cerver.Gateway.Embedded.Sessions;

/// <summary>
/// No executable provider qualified: the caller answers 409 with the recommendation report. The
/// message carries the report's <c>next_action</c>, which names the requirement or allow-list
/// that kept this machine (and each linked relay) out.
/// </summary>
public sealed class NoExecutableProviderException(RecommendationReport report)
    : Exception($"No executable provider satisfies this request. {report.HumanSummary.NextAction}")
{
    public RecommendationReport Report { get; } = report;
}
