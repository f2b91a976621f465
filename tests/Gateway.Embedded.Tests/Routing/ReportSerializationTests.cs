using System.Text.Json;
using Cerver.Gateway.Embedded.Routing;
using Cerver.Gateway.Embedded.Routing.Wire;
using Cerver.Gateway.Embedded.Tests.Routing.Fixtures;
using Xunit;

namespace Cerver.Gateway.Embedded.Tests.Routing;

public class ReportSerializationTests
{
    private static JsonElement Serialize(RecommendationReport report) =>
        JsonSerializer.SerializeToElement(report, RoutingJsonContext.Default.RecommendationReport);

    private static RecommendationReport ContractReport(bool requireExecutable) => Router.Recommend(
        Build.FromJson(Fixture.Read("gateway-session-create-full.request.json")),
        ProviderCatalog.Snapshot([]),
        requireExecutable,
        "req_123");

    [Fact]
    public void Report_has_every_field_and_json_type_of_the_contract_example()
    {
        using var contract = JsonDocument.Parse(Fixture.Read("gateway-recommend.response.json"));

        var mismatches = new List<string>();
        CompareShape(contract.RootElement, Serialize(ContractReport(requireExecutable: false)), "$", mismatches);

        Assert.Empty(mismatches);
    }

    [Fact]
    public void Shape_comparison_catches_a_missing_field()
    {
        using var contract = JsonDocument.Parse("""{"decision": {"canary_run": false, "missing": 1}}""");
        using var actual = JsonDocument.Parse("""{"decision": {"canary_run": "no"}}""");

        var mismatches = new List<string>();
        CompareShape(contract.RootElement, actual.RootElement, "$", mismatches);

        Assert.Equal(["$.decision.canary_run: expected boolean, got String", "$.decision.missing: missing"], mismatches);
    }

    [Fact]
    public void No_winner_report_keeps_recommended_provider_as_a_present_null()
    {
        var json = Serialize(ContractReport(requireExecutable: true));

        Assert.Equal(JsonValueKind.Null, json.GetProperty("decision").GetProperty("recommended_provider").ValueKind);
        Assert.Equal(JsonValueKind.Array, json.GetProperty("decision").GetProperty("fallback_order").ValueKind);
    }

    [Fact]
    public void The_409_flag_is_not_serialized()
    {
        var json = Serialize(ContractReport(requireExecutable: true));

        Assert.False(json.TryGetProperty("no_provider_qualifies", out _));
    }

    [Fact]
    public void Report_round_trips_through_the_source_generated_context()
    {
        var report = ContractReport(requireExecutable: false);
        var text = JsonSerializer.Serialize(report, RoutingJsonContext.Default.RecommendationReport);

        var back = JsonSerializer.Deserialize(text, RoutingJsonContext.Default.RecommendationReport)!;

        Assert.Equal(text, JsonSerializer.Serialize(back, RoutingJsonContext.Default.RecommendationReport));
    }

    // Walks the contract tree and requires the same names and JSON kinds in the actual
    // tree; arrays compare their first element. Extra fields in the actual tree are fine.
    private static void CompareShape(JsonElement expected, JsonElement actual, string path, List<string> mismatches)
    {
        if (Kind(expected) != Kind(actual))
        {
            mismatches.Add($"{path}: expected {Kind(expected)}, got {actual.ValueKind}");
            return;
        }

        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in expected.EnumerateObject())
                {
                    if (actual.TryGetProperty(property.Name, out var value))
                    {
                        CompareShape(property.Value, value, $"{path}.{property.Name}", mismatches);
                    }
                    else
                    {
                        mismatches.Add($"{path}.{property.Name}: missing");
                    }
                }

                break;
            case JsonValueKind.Array when expected.GetArrayLength() > 0:
                if (actual.GetArrayLength() == 0)
                {
                    mismatches.Add($"{path}: empty, cannot compare its elements");
                }
                else
                {
                    CompareShape(expected[0], actual[0], $"{path}[0]", mismatches);
                }

                break;
        }
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        var kind => kind.ToString(),
    };
}
