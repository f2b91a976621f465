using System.Text.Json.Serialization;

namespace Cerver.Gateway.Embedded.Routing.Wire;

// Shape of the seed's "What comes back to the agent" (contract/gateway-recommend.response.json).
// Fields beyond the contract are additions only; none of the contract's names may change.
public sealed record RecommendationReport(
    string RequestId,
    string Task,
    string Workload,
    IReadOnlyList<ProviderAssessment> Providers,
    RoutingDecision Decision,
    HumanSummary HumanSummary)
{
    // POST /gateway/sessions answers 409 with this report when it is true.
    [JsonIgnore]
    public bool NoProviderQualifies => Decision.RecommendedProvider is null;
}

public sealed record ProviderAssessment(
    string Name,
    string Status,
    double Score,
    double EstimatedCostUsd,
    string DisplayName,
    string? ComputeId,
    bool Executable,
    int PredictedStartupMs,
    IReadOnlyList<string> Reasons,
    IReadOnlyList<string> FilteredReasons)
{
    public const string Viable = "viable";
    public const string Filtered = "filtered";
}

public sealed record RoutingDecision(
    string? RecommendedProvider,
    string? RecommendedComputeId,
    string Confidence,
    string PrimaryReason,
    IReadOnlyList<string> SecondaryReasons,
    IReadOnlyList<string> FallbackOrder,
    bool CanaryRun);

public sealed record HumanSummary(string Headline, string NextAction);
