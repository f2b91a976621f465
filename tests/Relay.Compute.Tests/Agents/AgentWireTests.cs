using System.Text.Json;
using System.Text.Json.Nodes;
using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Agents.Wire;
using Cerver.Relay.Compute.Contract;

namespace Cerver.Relay.Compute.Tests.Agents;

/// <summary>Turns and their events keep every field across a link, and a malformed one is refused by name.</summary>
public sealed class AgentWireTests
{
    public static TheoryData<AgentEvent> Events => new((AgentEvent[])[
        new AgentEntryEvent(AgentEntry.ToolUse("toolu_1", "Bash", new JsonObject { ["command"] = "ls" })),
        new AgentEntryEvent(AgentEntry.ToolResult("toolu_1", "a\nb", isError: true)),
        new AgentEntryEvent(AgentEntry.Thinking("hmm")),
        new AgentSessionEvent("thread-1", "model-x", "anthropic") { WorkingDirectory = "/w" },
        new AgentUsageEvent(34, 13, new JsonObject { ["input_tokens"] = 21 }) { ThreadTotal = true },
        new AgentTurnCompleted(137, 1800, 34, 13, new JsonObject { ["output_tokens"] = 13 }) { Outcome = AgentTurnOutcome.Stalled, Failure = "stalled", UsageIsThreadTotal = true }]);

    [Theory]
    [MemberData(nameof(Events))]
    public void An_event_comes_back_as_it_went(AgentEvent item)
    {
        var json = JsonSerializer.Serialize(AgentEventWire.From(item), AgentJsonContext.Default.AgentEventWire);
        var back = JsonSerializer.Deserialize(json, AgentJsonContext.Default.AgentEventWire)!.ToEvent();

        Assert.Equal(JsonSerializer.Serialize(AgentEventWire.From(item), AgentJsonContext.Default.AgentEventWire),
            JsonSerializer.Serialize(AgentEventWire.From(back), AgentJsonContext.Default.AgentEventWire));
        Assert.Equal(item.GetType(), back.GetType());
    }

    [Fact]
    public void A_turn_comes_back_as_it_went()
    {
        var turn = new AgentTurn
        {
            Harness = "codex", Prompt = "-p looks like an option", CliSessionId = "t1", Model = "m", SystemPrompt = "be brief",
            Env = new Dictionary<string, string> { ["A"] = "1" }, Timeout = TimeSpan.FromMinutes(5), StallTimeout = TimeSpan.FromSeconds(30),
        };

        var back = JsonSerializer.Deserialize(JsonSerializer.Serialize(AgentTurnWire.From(turn), AgentJsonContext.Default.AgentTurnWire), AgentJsonContext.Default.AgentTurnWire)!.ToTurn();

        Assert.Equal((turn.Harness, turn.Prompt, turn.CliSessionId, turn.Model, turn.SystemPrompt, turn.Timeout, turn.StallTimeout),
            (back.Harness, back.Prompt, back.CliSessionId, back.Model, back.SystemPrompt, back.Timeout, back.StallTimeout));
        Assert.Equal("1", back.Env!["A"]);
    }

    [Theory]
    [InlineData("""{"type":"gossip"}""", "type")]
    [InlineData("""{"type":"entry","kind":"text"}""", "role")]
    public void A_malformed_event_is_refused_naming_the_field(string json, string field)
    {
        var error = Assert.Throws<ComputeException>(() => JsonSerializer.Deserialize(json, AgentJsonContext.Default.AgentEventWire)!.ToEvent());

        Assert.StartsWith(field + ":", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"prompt":"x"}""", "harness")]
    [InlineData("""{"harness":"claude","prompt":"x","timeout_seconds":-1}""", "timeout_seconds")]
    public void A_malformed_turn_is_refused_naming_the_field(string json, string field)
    {
        var error = Assert.Throws<ComputeException>(() => JsonSerializer.Deserialize(json, AgentJsonContext.Default.AgentTurnWire)!.ToTurn());

        Assert.StartsWith(field + ":", error.Message, StringComparison.Ordinal);
    }
}
