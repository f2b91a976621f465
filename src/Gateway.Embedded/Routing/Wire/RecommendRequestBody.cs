using System.Text.Json.Nodes;

namespace Cerver.Gateway.Embedded.Routing.Wire;

// The body of POST /gateway/recommend and POST /gateway/sessions as it arrives. Every
// field is optional and enums stay strings so RoutingRequestValidator can name the exact
// field that is wrong instead of the serializer failing on the first surprise.
public sealed record RecommendRequestBody
{
    public string? Task { get; init; }
    public string? Workload { get; init; }
    public RepoBody? Repo { get; init; }
    public RequirementsBody? Requirements { get; init; }
    public PolicyBody? Policy { get; init; }
    public JsonObject? Metadata { get; init; }
    public string? SessionName { get; init; }
    public string? TargetComputeId { get; init; }

    // The shapes the cerver CLI and skill send (observed): a compute given as an object, or null
    // for a transcript-only session, and the agent named at the top level.
    public string? SessionType { get; init; }
    public System.Text.Json.JsonElement Compute { get; init; }
    public string? Harness { get; init; }
    public string? Agent { get; init; }
}

public sealed record RepoBody
{
    public string? Name { get; init; }
    public string? Framework { get; init; }
    public IReadOnlyList<string?>? Languages { get; init; }
    public IReadOnlyList<string?>? Signals { get; init; }
}

public sealed record RequirementsBody
{
    public string? Runtime { get; init; }
    public bool? PackageInstall { get; init; }
    public bool? PublicPreview { get; init; }
    public bool? Browser { get; init; }
    public bool? Desktop { get; init; }
    public string? PersistenceLevel { get; init; }
    public int? TimeoutMinutes { get; init; }
}

public sealed record PolicyBody
{
    public string? Mode { get; init; }
    public string? PinnedProvider { get; init; }
    public IReadOnlyList<string?>? AllowedProviders { get; init; }
    public double? MaxCostUsd { get; init; }
    public int? MaxStartupMs { get; init; }
}
