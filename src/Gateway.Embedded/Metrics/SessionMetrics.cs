namespace Cerver.Gateway.Embedded.Metrics;

/// <summary>The seed's session metrics; nulls are fields not measured yet.</summary>
public sealed record SessionMetrics(
    long? ProvisionTimeMs,
    long? TimeToFirstExecMs,
    long? LastExecLatencyMs,
    double? AverageExecLatencyMs,
    double? AverageStreamOpenLatencyMs,
    int TotalExecCount,
    int TotalStreamCount,
    int InteractionCount,
    long SessionLengthMs,
    double CostEstimateUsd,
    double UptimePercent,
    int? PredictedStartupMs,
    double EngagementScore,
    string EngagementLabel);
