using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Gateway;

/// <summary>The contract checker itself must be able to fail.</summary>
public sealed class JsonShapeTests
{
    [Fact]
    public void A_missing_field_or_a_wrong_kind_fails_and_extras_pass()
    {
        var contract = JsonNode.Parse("""{"a": 1, "b": {"c": "x"}, "d": [{"e": true}], "f": null}""")!;
        JsonShape.AssertMatches(contract, JsonNode.Parse("""{"a": 2, "b": {"c": "y", "extra": 1}, "d": [{"e": false}], "f": 3, "g": 0}"""));
        Assert.ThrowsAny<Exception>(() => JsonShape.AssertMatches(contract, JsonNode.Parse("""{"a": 2, "b": {}, "d": [], "f": null}""")));
        Assert.ThrowsAny<Exception>(() => JsonShape.AssertMatches(contract, JsonNode.Parse("""{"a": "2", "b": {"c": "y"}, "d": [], "f": null}""")));
        Assert.ThrowsAny<Exception>(() => JsonShape.AssertMatches(contract, JsonNode.Parse("""{"a": 2, "b": {"c": "y"}, "d": [{"e": 1}], "f": null}""")));
    }
}
