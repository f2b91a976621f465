using System.Text.Json;
using Cerver.Gateway.Embedded.Routing;
using Cerver.Gateway.Embedded.StressTests;
using Cerver.Gateway.Embedded.StressTests.Wire;
using Xunit;

namespace Cerver.Gateway.Embedded.Tests.StressTests;

internal static class StressBuild
{
    public const string LocalComputeId = "cmp_local";

    public static ExecutableCompute Local(ComputeStatus status = ComputeStatus.Online) =>
        new(LocalComputeId, "test machine", ComputeKind.Local, ["node", "python", "shell"], status);

    // The seed's four modeled providers plus this machine.
    public static CatalogSnapshot Catalog() => ProviderCatalog.Snapshot([Local()]);

    public static StressTestRequestBody Body(string json) =>
        JsonSerializer.Deserialize(json, StressTestRequestJsonContext.Default.StressTestRequestBody)!;

    public static StressTestValidation Validate(string json, CatalogSnapshot? catalog = null) =>
        StressTestRequestValidator.Validate(Body(json), catalog ?? Catalog());

    public static StressTestRequest Request(string json, CatalogSnapshot? catalog = null)
    {
        var validation = Validate(json, catalog);
        Assert.True(validation.IsValid, string.Join(Environment.NewLine, validation.Errors));
        return validation.Request!;
    }

    public static ProviderStressResult Entry(StressTestResult result, string name) =>
        Assert.Single(result.Providers, p => p.Name == name);
}
