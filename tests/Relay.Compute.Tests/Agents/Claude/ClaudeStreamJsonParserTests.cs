using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Agents.Claude;

namespace Cerver.Relay.Compute.Tests.Agents.Claude;

/// <summary>Claude Code's stream-json, as the real CLI printed it, read into transcript events.</summary>
public sealed class ClaudeStreamJsonParserTests
{
    private readonly ClaudeStreamJsonParser _parser = new();

    [Fact]
    public void Init_names_the_session_the_model_and_the_provider()
    {
        var session = Assert.IsType<AgentSessionEvent>(Assert.Single(_parser.Parse(ClaudeStreamJsonLines.Init)));

        Assert.Equal(new AgentSessionEvent("8b50f1c5-9bc2-4793-9f99-d1ce8a725a5c", "claude-opus-5-5", "anthropic"), session);
    }

    [Fact]
    public void Assistant_text_is_a_text_entry()
    {
        Assert.Equal([AgentEntry.Text("echo: hello there")], Entries(ClaudeStreamJsonLines.Text));
    }

    [Fact]
    public void Thinking_is_a_thinking_entry_and_its_token_estimates_are_skipped()
    {
        Assert.Empty(_parser.Parse(ClaudeStreamJsonLines.ThinkingTokens));
        Assert.Equal([AgentEntry.Thinking("thinking about: [[think]] ponder")], Entries(ClaudeStreamJsonLines.Thinking));
        Assert.Equal([AgentEntry.Text("echo: [[think]] ponder")], Entries(ClaudeStreamJsonLines.ThinkingText));
    }

    [Fact]
    public void A_tool_call_and_its_result_share_the_tool_id()
    {
        var use = Assert.Single(Entries(ClaudeStreamJsonLines.ToolUse));
        var result = Assert.Single(Entries(ClaudeStreamJsonLines.ToolResult));

        Assert.Equal(("assistant", "tool_use", "toolu_standin_2_6136513ef3e9", "Bash"), (use.Role, use.Kind, use.ToolId, use.ToolName));
        Assert.Equal("echo hi > f.txt", (string?)use.ToolInput?["command"]);
        Assert.Equal(use.ToolInput?.ToJsonString(), use.Content);
        Assert.Equal(AgentEntry.ToolResult("toolu_standin_2_6136513ef3e9", "(Bash completed with no output)", isError: false), result);
    }

    [Fact]
    public void A_failed_command_is_an_error_result()
    {
        var result = Assert.Single(Entries(ClaudeStreamJsonLines.FailedToolResult));

        Assert.True(result.IsError);
        Assert.Equal("Exit code 1\ncat: does-not-exist: No such file or directory", result.Content);
    }

    [Fact]
    public void A_result_carries_the_session_and_the_usage_with_the_cache_counted_as_input()
    {
        var events = Feed(ClaudeStreamJsonLines.Init, ClaudeStreamJsonLines.ToolTurnResult);

        Assert.Equal(new AgentSessionEvent("119eb6a1-98e5-4a04-ac28-2cb6a3bb33d2", "claude-opus-5-5", "anthropic"), events[1]);
        var usage = Assert.IsType<AgentUsageEvent>(events[2]);
        Assert.Equal(42 + 10 + 16, usage.InputTokens);
        Assert.Equal(26, usage.OutputTokens);
        Assert.Equal(16, (long?)usage.Raw["cache_read_input_tokens"]);
        Assert.Null(_parser.ReportedError);
    }

    [Fact]
    public void An_api_error_is_reported_and_never_a_text_entry()
    {
        Assert.Empty(_parser.Parse(ClaudeStreamJsonLines.ApiRetry));
        Assert.Equal("the model API answered with an error 401 (authentication_failed) and Claude Code was retrying, attempt 1 of 1", _parser.ReportedError);

        Assert.Empty(_parser.Parse(ClaudeStreamJsonLines.ApiErrorMessage));
        var events = Feed(ClaudeStreamJsonLines.ApiErrorResult);

        Assert.Equal(0, Assert.Single(events.OfType<AgentUsageEvent>()).InputTokens);
        Assert.Equal("Failed to authenticate. API Error: 401 stand-in error 401", _parser.ReportedError);
    }

    [Fact]
    public void A_retry_line_of_odd_figures_is_still_read()
    {
        Assert.Empty(_parser.Parse("""{"type":"system","subtype":"api_retry","attempt":1.5,"max_retries":1e30,"error_status":"x","error":7}"""));

        Assert.Equal("the model API answered with an error and Claude Code was retrying", _parser.ReportedError);
    }

    [Fact]
    public void A_retry_that_got_through_leaves_no_error()
    {
        var events = Feed(ClaudeStreamJsonLines.ApiRetry, ClaudeStreamJsonLines.Text, ClaudeStreamJsonLines.TextResult);

        Assert.Contains(events, item => item is AgentUsageEvent);
        Assert.Null(_parser.ReportedError);
    }

    [Fact]
    public void A_run_that_failed_before_the_model_reports_the_cli_s_errors()
    {
        var events = Feed(ClaudeStreamJsonLines.ResumeFailure);

        Assert.Equal("3f1b2d4e-0000-4000-8000-000000000000", Assert.IsType<AgentSessionEvent>(events[0]).CliSessionId);
        Assert.Equal("No conversation found with session ID: 3f1b2d4e-0000-4000-8000-000000000000", _parser.ReportedError);
    }

    [Fact]
    public void A_tool_result_made_of_blocks_is_flattened_to_text()
    {
        const string line = """{"type":"user","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","is_error":false,"content":[{"type":"text","text":"first"},{"type":"image","source":{}},{"type":"text","text":"second"}]}]}}""";

        Assert.Equal([AgentEntry.ToolResult("toolu_1", "first\n[image]\nsecond", isError: false)], Entries(line));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Warning: no stdin data received in 3s")]
    [InlineData("[1,2]")]
    [InlineData("{")]
    [InlineData("{\"type\":5}")]
    [InlineData("{\"type\":\"stream_event\",\"event\":{}}")]
    [InlineData("{\"type\":\"assistant\",\"message\":null}")]
    [InlineData("{\"type\":\"assistant\",\"message\":{\"content\":\"plain\"}}")]
    [InlineData("{\"type\":\"assistant\",\"message\":{\"content\":[5,{\"type\":\"text\",\"text\":7},{\"type\":\"redacted_thinking\"}]}}")]
    [InlineData("{\"type\":\"user\",\"message\":{\"content\":\"a prompt\"}}")]
    [InlineData("{\"type\":\"system\",\"subtype\":\"status\",\"status\":\"compacting\"}")]
    public void Lines_it_does_not_know_are_skipped(string line)
    {
        Assert.Empty(_parser.Parse(line));
        Assert.Null(_parser.ReportedError);
    }

    private List<AgentEvent> Feed(params string[] lines) => [.. lines.SelectMany(_parser.Parse)];

    private List<AgentEntry> Entries(string line) => [.. _parser.Parse(line).Cast<AgentEntryEvent>().Select(item => item.Entry)];
}
