using System.Text.Json;
using Cerver.Relay.Mcp;

namespace Cerver.Relay.Tests.Mcp;

/// <summary>The hand-written schemas every client reads, and the argument checks that back them.</summary>
public sealed class McpToolSchemaTests
{
    private static readonly RelayMcpTools Tools = RelayMcpTools.Create(
        new RelayApiClient(new HttpClient(), () => new RelayApiEndpoint(new Uri("http://127.0.0.1:9"), null), "not running"), TimeProvider.System);

    [Fact]
    public void Every_schema_is_a_closed_object_whose_properties_are_typed_and_described()
    {
        Assert.Equal(7, Tools.Definitions.Count);
        Assert.All(Tools.Definitions, tool =>
        {
            var schema = tool.InputSchema;
            Assert.Equal("object", schema.GetProperty("type").GetString());
            Assert.Equal(JsonValueKind.False, schema.GetProperty("additionalProperties").ValueKind);
            var properties = schema.GetProperty("properties").EnumerateObject().ToList();
            Assert.NotEmpty(properties);
            Assert.All(properties, property =>
            {
                Assert.Contains(property.Value.GetProperty("type").GetString(), new[] { "string", "integer", "boolean" });
                Assert.False(string.IsNullOrWhiteSpace(property.Value.GetProperty("description").GetString()));
            });
            var names = properties.Select(property => property.Name).ToHashSet();
            if (schema.TryGetProperty("required", out var required))
            {
                Assert.All(required.EnumerateArray(), name => Assert.Contains(name.GetString()!, names));
            }

            Assert.False(string.IsNullOrWhiteSpace(tool.Description));
        });
    }

    [Fact]
    public void Integer_bounds_are_in_the_schema_as_the_checks_apply_them()
    {
        var peek = Tools.Definitions.Single(tool => tool.Name == "cerver_session_peek").InputSchema.GetProperty("properties").GetProperty("last_n");
        Assert.Equal(1, peek.GetProperty("minimum").GetInt32());
        Assert.Equal(1000, peek.GetProperty("maximum").GetInt32());
        var arguments = new ToolArguments("cerver_session_peek", Parse("""{"last_n": 1000}"""), ["last_n"]);
        Assert.Equal(1000, arguments.OptionalInteger("last_n", 1, 1000, 10));
        var over = new ToolArguments("cerver_session_peek", Parse("""{"last_n": 1001}"""), ["last_n"]);
        Assert.Equal("Argument 'last_n' of cerver_session_peek must be an integer from 1 to 1000; 1001 is out of range.",
            Assert.Throws<McpToolException>(() => over.OptionalInteger("last_n", 1, 1000, 10)).Message);
        var fraction = new ToolArguments("cerver_session_peek", Parse("""{"last_n": 2.5}"""), ["last_n"]);
        Assert.Equal("Argument 'last_n' of cerver_session_peek must be an integer from 1 to 1000, not a number.",
            Assert.Throws<McpToolException>(() => fraction.OptionalInteger("last_n", 1, 1000, 10)).Message);
    }

    [Fact]
    public async Task A_secret_name_with_a_trailing_newline_is_refused_without_being_echoed()
    {
        var call = await Tools.CallAsync("secret_fetch", Parse("""{"name": "HOME\n"}"""), CancellationToken.None);

        Assert.True(call.IsError);
        Assert.DoesNotContain("HOME", Assert.IsType<ModelContextProtocol.Protocol.TextContentBlock>(Assert.Single(call.Content)).Text, StringComparison.Ordinal);
    }

    private static Dictionary<string, JsonElement> Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateObject().ToDictionary(property => property.Name, property => property.Value.Clone());
    }
}
