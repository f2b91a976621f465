using System.Text.Json;

namespace Cerver.Gateway.Embedded.Routing;

// A request that passed RoutingRequestValidator: names are canonical, defaults applied,
// lists copied. Nothing here changes after construction.
public sealed record RoutingRequest(
    string Task,
    Workload Workload,
    RepoHints Repo,
    RuntimeRequirements Requirements,
    RoutingPolicy Policy,
    JsonElement? Metadata,
    string? SessionName,
    ComputeTarget? Target)
{
    public static RoutingRequest Default { get; } = new(
        string.Empty,
        Workload.General,
        RepoHints.None,
        RuntimeRequirements.None,
        RoutingPolicy.Default,
        Metadata: null,
        SessionName: null,
        Target: null);
}

public sealed record RepoHints(string? Name, string? Framework, IReadOnlyList<string> Languages, IReadOnlyList<string> Signals)
{
    public static RepoHints None { get; } = new(null, null, [], []);
}

public sealed record RuntimeRequirements(
    string? Runtime,
    bool PackageInstall,
    bool PublicPreview,
    bool Browser,
    bool Desktop,
    PersistenceLevel? Persistence,
    int? TimeoutMinutes)
{
    public static RuntimeRequirements None { get; } = new(null, false, false, false, false, null, null);
}

public sealed record RoutingPolicy(
    RoutingMode Mode,
    string? PinnedProvider,
    IReadOnlyList<string> AllowedProviders,
    double? MaxCostUsd,
    int? MaxStartupMs)
{
    public static RoutingPolicy Default { get; } = new(RoutingMode.Balanced, null, [], null, null);
}

public enum ComputeTargetKind
{
    // cmp_…: one concrete compute, nothing else may win.
    Compute,

    // provider_<name>: any compute of that provider.
    Provider,
}

public sealed record ComputeTarget(ComputeTargetKind Kind, string Value)
{
    public string WireForm => Kind == ComputeTargetKind.Compute ? Value : ProviderNames.ProviderHandlePrefix + Value;
}
