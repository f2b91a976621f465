using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cerver.Relay.Tests.Infrastructure;

/// <summary>
/// Compares a response with a seed example: every field of the example must be present
/// with the same JSON kind, recursively (a null in the example accepts any kind; arrays are
/// compared by their first element). Extra fields in the response are allowed.
/// </summary>
public static class JsonShape
{
    public static JsonObject Contract(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Gateway", "Contract", name)))!.AsObject();

    public static void AssertMatches(JsonNode expected, JsonNode? actual, string path = "$")
    {
        // Presence is checked by the parent; a present null is a value not measured yet.
        if (actual is null)
        {
            return;
        }

        switch (expected)
        {
            case JsonObject expectedObject:
                var actualObject = Assert.IsType<JsonObject>(actual, exactMatch: false);
                foreach (var (name, child) in expectedObject)
                {
                    Assert.True(actualObject.ContainsKey(name), $"{path}.{name} is missing");
                    if (child is not null)
                    {
                        AssertMatches(child, actualObject[name], $"{path}.{name}");
                    }
                }

                break;
            case JsonArray expectedArray:
                var actualArray = Assert.IsType<JsonArray>(actual, exactMatch: false);
                if (expectedArray.Count > 0 && actualArray.Count > 0 && expectedArray[0] is { } first)
                {
                    AssertMatches(first, actualArray[0], $"{path}[0]");
                }

                break;
            default:
                var kind = expected.GetValueKind();
                var actualKind = actual.GetValueKind();
                var sameKind = kind == actualKind
                    || (kind is JsonValueKind.True or JsonValueKind.False && actualKind is JsonValueKind.True or JsonValueKind.False)
                    || actualKind == JsonValueKind.Null;
                Assert.True(sameKind, $"{path} is {actualKind}, the contract has {kind}");
                break;
        }
    }
}
