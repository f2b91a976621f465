using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Agents.Codex;

namespace Cerver.Relay.Compute.Tests.Agents.Codex;

public sealed class CodexJsonParserTests
{
    [Fact]
    public void A_text_turn_gives_the_thread_the_thinking_the_text_and_the_usage()
    {
        var (events, parser) = Parse(CodexCapturedOutput.TextWithThinking);

        Assert.Equal(new AgentSessionEvent("01a24b2d-9109-7452-bf94-84342e70c702", null, null), events[0]);
        Assert.Equal([AgentEntry.Thinking("thinking about: [[think]] hello codex"), AgentEntry.Text("echo: [[think]] hello codex")], Entries(events));
        var usage = Assert.IsType<AgentUsageEvent>(events[^1]);
        Assert.Equal((40L, 10L), (usage.InputTokens, usage.OutputTokens));
        Assert.Equal(5, usage.Raw["reasoning_output_tokens"]?.GetValue<long>());
        Assert.Null(parser.ReportedError);
    }

    [Fact]
    public void A_command_is_a_tool_use_when_it_starts_and_a_result_when_it_ends()
    {
        var (events, _) = Parse(CodexCapturedOutput.Command);

        var entries = Entries(events);
        var use = entries[0];
        Assert.Equal(("tool_use", "item_1", "shell"), (use.Kind, use.ToolId, use.ToolName));
        Assert.Equal("/bin/bash -lc 'echo hi > f.txt'", use.ToolInput?["command"]?.GetValue<string>());
        Assert.Equal(AgentEntry.ToolResult("item_1", "", false), entries[1]);
        Assert.Equal(AgentEntry.Thinking("thinking hard"), entries[2]);
        Assert.StartsWith("tool said: ", entries[3].Content, StringComparison.Ordinal);
        Assert.Equal(4, entries.Count);
    }

    [Fact]
    public void A_command_that_exits_non_zero_is_an_error_result()
    {
        var (events, parser) = Parse(CodexCapturedOutput.FailedCommand);

        Assert.Equal(AgentEntry.ToolResult("item_1", "oops\n", true), Entries(events)[1]);
        Assert.Null(parser.ReportedError);
    }

    [Fact]
    public void A_command_seen_only_when_completed_still_gets_its_tool_use_first()
    {
        var (events, _) = Parse(CodexCapturedOutput.FailedCommand.Split('\n')[1]);

        var entries = Entries(events);
        Assert.Equal(["tool_use", "tool_result"], entries.Select(entry => entry.Kind));
        Assert.All(entries, entry => Assert.Equal("item_1", entry.ToolId));
    }

    [Fact]
    public void A_file_change_is_an_apply_patch_with_its_changes()
    {
        var (events, _) = Parse(CodexCapturedOutput.FileChange);

        var entries = Entries(events);
        Assert.Equal(2, entries.Count);
        Assert.Equal("apply_patch", entries[0].ToolName);
        Assert.Equal("""[{"path":"/w/g.txt","kind":"add"}]""", entries[0].ToolInput?["changes"]?.ToJsonString());
        Assert.Equal(AgentEntry.ToolResult("item_1", "add /w/g.txt", false), entries[1]);
    }

    [Fact]
    public void A_refused_request_reports_the_endpoint_s_own_message()
    {
        var (events, parser) = Parse(CodexCapturedOutput.Refused);

        Assert.Equal("stand-in error 400", parser.ReportedError);
        Assert.IsType<AgentSessionEvent>(Assert.Single(events));
    }

    [Fact]
    public void Server_errors_report_the_last_message_once_the_retries_are_spent()
    {
        var (_, parser) = Parse(CodexCapturedOutput.ServerErrors);

        Assert.Equal("We’re currently experiencing high demand, which may cause temporary errors.", parser.ReportedError);
    }

    [Fact]
    public void Reconnects_a_turn_recovered_from_leave_no_error()
    {
        var (events, parser) = Parse(CodexCapturedOutput.RecoveredAfterReconnects);

        Assert.Null(parser.ReportedError);
        Assert.Equal([AgentEntry.Text("echo: hi env")], Entries(events));
    }

    [Fact]
    public void A_stream_error_is_reported_while_no_turn_completed_after_it()
    {
        var parser = new CodexJsonParser();

        Assert.Empty(parser.Parse("""{"type":"error","message":"Reconnecting... waiting for network (Connection failed: error sending request)"}"""));

        Assert.Equal("Reconnecting... waiting for network (Connection failed: error sending request)", parser.ReportedError);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("WARNING: proceeding, even though we could not create PATH aliases")]
    [InlineData("[1,2]")]
    [InlineData("{\"type\":")]
    [InlineData("{\"type\":\"thread.renamed\",\"name\":\"x\"}")]
    [InlineData("{\"type\":42}")]
    [InlineData("{\"type\":\"thread.started\"}")]
    [InlineData("{\"type\":\"item.completed\"}")]
    [InlineData("{\"type\":\"item.completed\",\"item\":[]}")]
    [InlineData("{\"type\":\"item.completed\",\"item\":{\"type\":\"agent_message\",\"text\":\"no id\"}}")]
    [InlineData("{\"type\":\"item.completed\",\"item\":{\"id\":\"i\",\"type\":\"hologram\"}}")]
    [InlineData("{\"type\":\"item.started\",\"item\":{\"id\":\"i\",\"type\":\"agent_message\",\"text\":\"\"}}")]
    [InlineData("{\"type\":\"turn.completed\",\"usage\":\"lots\"}")]
    [InlineData("{\"type\":\"error\"}")]
    [InlineData("{\"type\":\"turn.failed\",\"type\":\"turn.failed\",\"error\":{\"message\":\"twice\"}}")]
    public void Lines_it_does_not_know_are_skipped(string line)
    {
        var parser = new CodexJsonParser();

        Assert.Empty(parser.Parse(line));
        Assert.Null(parser.ReportedError);
    }

    [Fact]
    public void Deep_nesting_is_skipped_not_thrown()
    {
        var line = "{\"type\":\"x\",\"a\":" + new string('[', 5000) + new string(']', 5000) + "}";

        Assert.Empty(new CodexJsonParser().Parse(line));
    }

    // The items below are not produced by the stand-in; their lines follow the shapes of
    // codex-rs/exec/src/exec_events.rs.

    [Fact]
    public void An_mcp_tool_call_is_named_after_its_server_and_tool()
    {
        var (events, _) = Parse("""
            {"type":"item.started","item":{"id":"item_4","type":"mcp_tool_call","server":"docs","tool":"search","arguments":{"q":"relay"},"result":null,"error":null,"status":"in_progress"}}
            {"type":"item.completed","item":{"id":"item_4","type":"mcp_tool_call","server":"docs","tool":"search","arguments":{"q":"relay"},"result":{"content":[{"type":"text","text":"found it"}],"structured_content":null},"error":null,"status":"completed"}}
            {"type":"item.completed","item":{"id":"item_5","type":"mcp_tool_call","server":"docs","tool":"fetch","arguments":{},"result":null,"error":{"message":"no such page"},"status":"failed"}}
            """);

        var entries = Entries(events);
        Assert.Equal(("mcp__docs__search", """{"q":"relay"}"""), (entries[0].ToolName, entries[0].ToolInput?.ToJsonString()));
        Assert.Null(entries[0].ToolInput!.Parent);
        Assert.Equal(AgentEntry.ToolResult("item_4", "found it", false), entries[1]);
        Assert.Equal("mcp__docs__fetch", entries[2].ToolName);
        Assert.Equal(AgentEntry.ToolResult("item_5", "no such page", true), entries[3]);
    }

    [Fact]
    public void A_web_search_is_a_tool_with_its_query()
    {
        var (events, _) = Parse("""
            {"type":"item.started","item":{"id":"ws_1","type":"web_search","query":"","action":{"type":"other"}}}
            {"type":"item.completed","item":{"id":"ws_1","type":"web_search","query":"cerver relay","action":{"type":"search","query":"cerver relay"}}}
            """);

        var entries = Entries(events);
        Assert.Equal(("web_search", "ws_1"), (entries[0].ToolName, entries[0].ToolId));
        Assert.Equal(AgentEntry.ToolResult("ws_1", "cerver relay", false), entries[1]);
    }

    [Fact]
    public void A_todo_list_is_a_tool_call_per_change_each_with_its_checklist()
    {
        var (events, _) = Parse("""
            {"type":"item.started","item":{"id":"item_2","type":"todo_list","items":[{"text":"read","completed":false},{"text":"write","completed":false}]}}
            {"type":"item.updated","item":{"id":"item_2","type":"todo_list","items":[{"text":"read","completed":true},{"text":"write","completed":false}]}}
            {"type":"item.completed","item":{"id":"item_2","type":"todo_list","items":[{"text":"read","completed":true},{"text":"write","completed":false}]}}
            """);

        var entries = Entries(events);
        Assert.Equal(["tool_use", "tool_result", "tool_use", "tool_result"], entries.Select(entry => entry.Kind));
        Assert.Equal(["item_2", "item_2", "item_2#2", "item_2#2"], entries.Select(entry => entry.ToolId));
        Assert.Equal("[ ] read\n[ ] write", entries[1].Content);
        Assert.Equal("[x] read\n[ ] write", entries[3].Content);
    }

    private static (List<AgentEvent> Events, CodexJsonParser Parser) Parse(string output)
    {
        var parser = new CodexJsonParser();
        var events = output.Split('\n').SelectMany(parser.Parse).ToList();
        return (events, parser);
    }

    private static List<AgentEntry> Entries(IEnumerable<AgentEvent> events) => [.. events.OfType<AgentEntryEvent>().Select(item => item.Entry)];
}
