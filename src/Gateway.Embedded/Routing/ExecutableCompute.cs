namespace Cerver.Gateway.Embedded.Routing;

public enum ComputeKind
{
    Local,
    LinkedRelay,
}

// A compute the embedded gateway can really run on, as the compute registry reports it.
public sealed record ExecutableCompute(
    string ComputeId,
    string Label,
    ComputeKind Kind,
    IReadOnlyList<string> Runtimes,
    ComputeStatus Status)
{
    public ComputeObservations Observations { get; init; } = ComputeObservations.None;
    public bool Browser { get; init; }
    public bool Desktop { get; init; }
    public bool PublicPreview { get; init; }

    // Local cost comes from a configurable rate (spec: default 0).
    public CostModel Cost { get; init; } = CostModel.Free;
}
