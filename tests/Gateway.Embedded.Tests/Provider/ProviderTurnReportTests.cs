using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Provider;
using Cerver.Gateway.Embedded.Provider.Wire;
using Cerver.Gateway.Embedded.Sessions.Wire;
using Cerver.Relay.Compute.Agents;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Cerver.Gateway.Embedded.Tests.Provider;

/// <summary>What one provider turn reports to its Cerver session, however the turn ends.</summary>
public sealed class ProviderTurnReportTests
{
    private readonly Recorded _reports = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2025-03-04T05:06:07Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void A_turn_reports_running_its_entries_the_completion_the_metadata_and_idle_in_that_order()
    {
        var report = Report(new ProviderAgentRecord { Harness = "claude", Model = "opus" });
        report.Started();
        report.Observe(new AgentSessionEvent("thread-1", "claude-opus", "anthropic") { WorkingDirectory = "/w" });
        report.Observe(new AgentEntryEvent(AgentEntry.ToolUse("tool-1", "Bash", JsonNode.Parse("""{"command":"ls"}"""))));
        report.Observe(new AgentEntryEvent(AgentEntry.Text("done")));
        report.Observe(new AgentTurnCompleted(0, 1200, 10, 20, new JsonObject { ["input_tokens"] = 10 }));
        report.Ended();

        Assert.Equal(["status:running", "entry:tool_use", "entry:text", "entry:session_completed", "metadata", "status:idle"], _reports.Calls);
        var entries = _reports.Entries;
        Assert.Equal(3, entries.Select(e => e.Id).Distinct().Count());
        Assert.All(entries, e => Assert.Equal(_time.GetUtcNow(), e.At));
        Assert.Equal("tool-1", entries[0].ToolId);
        Assert.Equal("Bash", entries[0].ToolName);
        var completed = JsonNode.Parse(entries[2].Content!)!;
        Assert.Equal(0, completed["exit_code"]!.GetValue<int>());
        Assert.Equal(30, completed["total_usage"]!["input_tokens"]!.GetValue<long>() + completed["total_usage"]!["output_tokens"]!.GetValue<long>());
        var metadata = _reports.Metadata.Single();
        Assert.Equal("thread-1", metadata["cli_session_id"]!.GetValue<string>());
        Assert.Equal("claude-opus", metadata["cli_model"]!.GetValue<string>());
        Assert.Equal("anthropic", metadata["cli_model_provider"]!.GetValue<string>());
        Assert.Equal("/w", metadata["working_dir"]!.GetValue<string>());
        Assert.Equal("claude", metadata["cli_tool"]!.GetValue<string>());
        Assert.Equal(1, metadata["usage_total"]!["turns"]!.GetValue<long>());
        Assert.Equal("succeeded", _reports.Statuses[^1].EndReason);
    }

    [Fact]
    public void Usage_adds_up_over_turns_through_what_the_agent_kept_and_thread_totals_are_not_counted_twice()
    {
        var first = Report(new ProviderAgentRecord { Harness = "codex" });
        first.Observe(new AgentSessionEvent("thread-9", null, null));
        first.Observe(new AgentTurnCompleted(0, 1, 100, 10, []) { UsageIsThreadTotal = true });
        var second = Report(new ProviderAgentRecord { Harness = "codex", CliSessionId = "thread-9", Reported = first.Metadata });
        second.Observe(new AgentTurnCompleted(0, 1, 150, 15, []) { UsageIsThreadTotal = true });

        var total = _reports.Metadata[^1]["usage_total"]!;
        Assert.Equal(150, total["input_tokens"]!.GetValue<long>());
        Assert.Equal(15, total["output_tokens"]!.GetValue<long>());
        Assert.Equal(2, total["turns"]!.GetValue<long>());
        Assert.DoesNotContain(_reports.Metadata, m => m.ContainsKey("usage_thread"));
    }

    [Fact]
    public void A_turn_that_breaks_off_says_why_and_still_ends_with_its_completion()
    {
        var report = Report(new ProviderAgentRecord { Harness = "claude" });
        report.Started();
        report.Failed("The sandbox went away.");
        _time.Advance(TimeSpan.FromSeconds(3));
        report.Ended();
        report.Ended();

        Assert.Equal(["status:running", "entry:text", "entry:session_completed", "metadata", "status:idle"], _reports.Calls);
        Assert.Equal("The sandbox went away.", _reports.Entries[0].Content);
        var completed = JsonNode.Parse(_reports.Entries[1].Content!)!;
        Assert.Equal(1, completed["exit_code"]!.GetValue<int>());
        Assert.Equal(3000, completed["duration_ms"]!.GetValue<long>());
        Assert.Equal("failed", _reports.Statuses[^1].EndReason);
    }

    [Theory]
    [InlineData(AgentTurnOutcome.Succeeded, "completed", "succeeded")]
    [InlineData(AgentTurnOutcome.TimedOut, "failed", "timed_out")]
    [InlineData(AgentTurnOutcome.NotInstalled, "failed", "not_installed")]
    public void A_session_that_completes_on_exit_ends_completed_or_failed(AgentTurnOutcome outcome, string status, string reason)
    {
        var report = Report(new ProviderAgentRecord { Harness = "claude", CompleteOnExit = true });
        report.Observe(new AgentTurnCompleted(outcome == AgentTurnOutcome.Succeeded ? 0 : 1, 5, 0, 0, []) { Outcome = outcome });

        Assert.Equal((status, reason), _reports.Statuses[^1]);
    }

    [Fact]
    public void Every_event_is_offered_live_with_its_session()
    {
        var live = new LiveRecorded();
        var report = new ProviderTurnReport(_reports, live, _time, "ses_live", new ProviderAgentRecord { Harness = "claude" });
        var entry = new AgentEntryEvent(AgentEntry.Text("hi"));
        report.Observe(entry);
        report.Ended();

        Assert.Equal("ses_live", live.Events[0].Session);
        Assert.Same(entry, live.Events[0].Event);
        Assert.IsType<AgentTurnCompleted>(live.Events[^1].Event);
    }

    private ProviderTurnReport Report(ProviderAgentRecord agent) => new(_reports, new LiveRecorded(), _time, "ses_1", agent);

    private sealed class Recorded : ISessionReports
    {
        public List<string> Calls { get; } = [];

        public List<AppendedEntry> Entries { get; } = [];

        public List<JsonObject> Metadata { get; } = [];

        public List<(string Status, string? EndReason)> Statuses { get; } = [];

        public void Entry(string sessionId, AppendedEntry entry)
        {
            Calls.Add("entry:" + entry.Kind);
            Entries.Add(entry);
        }

        void ISessionReports.Metadata(string sessionId, JsonObject metadata)
        {
            Calls.Add("metadata");
            Metadata.Add(metadata);
        }

        public void Status(string sessionId, string status, string? endReason)
        {
            Calls.Add("status:" + status);
            Statuses.Add((status, endReason));
        }
    }

    private sealed class LiveRecorded : ILiveSessionEvents
    {
        public List<(string Session, AgentEvent Event)> Events { get; } = [];

        public void Publish(string sessionId, AgentEvent item) => Events.Add((sessionId, item));
    }
}
