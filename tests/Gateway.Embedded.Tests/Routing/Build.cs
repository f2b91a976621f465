using System.Text.Json;
using Cerver.Gateway.Embedded.Routing;
using Cerver.Gateway.Embedded.Routing.Wire;
using Xunit;

namespace Cerver.Gateway.Embedded.Tests.Routing;

internal static class Build
{
    public static ProviderProfile Profile(string name) => new()
    {
        Name = name,
        DisplayName = "Provider " + name,
        ComputeId = "cmp_" + name,
        Executable = true,
        Runtimes = ["node", "python", "shell"],
        Persistence = PersistenceLevel.Medium,
        MaxTimeoutMinutes = 600,
        StartupMs = 500,
        ExecMs = 100,
        Cost = new CostModel(0.001, 0),
        UptimePercent = 99.5,
    };

    public static CatalogSnapshot Catalog(params ProviderProfile[] profiles) => new(profiles);

    public static RoutingRequest Request(RoutingMode mode = RoutingMode.Balanced, Workload workload = Workload.General, string? pinned = null) =>
        RoutingRequest.Default with
        {
            Workload = workload,
            Policy = RoutingPolicy.Default with { Mode = mode, PinnedProvider = pinned },
        };

    public static RoutingRequest Valid(RecommendRequestBody body)
    {
        var result = RoutingRequestValidator.Validate(body);
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        return result.Request!;
    }

    public static RoutingRequest FromJson(string json) =>
        Valid(JsonSerializer.Deserialize(json, RoutingJsonContext.Default.RecommendRequestBody)!);

    public static ExecutableCompute Local(ComputeObservations? history = null) =>
        new("cmp_local", "laptop", ComputeKind.Local, ["node", "python", "shell"], ComputeStatus.Online)
        {
            Observations = history ?? ComputeObservations.None,
        };

    public static ExecutableCompute Relay(string id, string label, ComputeStatus status = ComputeStatus.Online) =>
        new(id, label, ComputeKind.LinkedRelay, ["node", "python", "shell"], status);

    public static ProviderAssessment Provider(RecommendationReport report, string name) =>
        report.Providers.Single(p => p.Name == name);
}
