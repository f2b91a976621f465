namespace Cerver.Gateway.Embedded.Routing;

public sealed record CostModel(double PerMinuteUsd, double PerSessionUsd)
{
    public static CostModel Free { get; } = new(0, 0);

    public double Estimate(int minutes) => PerSessionUsd + (PerMinuteUsd * minutes);
}

// What the router knows about one routable target: a modeled cloud provider or one
// executable compute (this machine or a linked relay). For executable computes the
// latency and uptime fields already include measured history (see HistoryCorrection).
public sealed record ProviderProfile
{
    // Routing handle: the provider name, or the compute id for a linked relay (relays
    // share one provider kind, so only the id tells two of them apart in fallback_order).
    public required string Name { get; init; }
    public required string DisplayName { get; init; }
    public string? ComputeId { get; init; }
    public required bool Executable { get; init; }
    public ComputeStatus Status { get; init; } = ComputeStatus.Online;

    public required IReadOnlyList<string> Runtimes { get; init; }
    public bool Browser { get; init; }
    public bool Desktop { get; init; }
    public bool PublicPreview { get; init; }
    public PersistenceLevel Persistence { get; init; } = PersistenceLevel.Low;
    public required int MaxTimeoutMinutes { get; init; }

    public required int StartupMs { get; init; }
    public required int ExecMs { get; init; }
    public required CostModel Cost { get; init; }
    public required double UptimePercent { get; init; }

    public IReadOnlyList<Workload> StrongWorkloads { get; init; } = [];
    public IReadOnlyList<string> Frameworks { get; init; } = [];

    // Null when the numbers are baselines only.
    public ComputeObservations? History { get; init; }
}
