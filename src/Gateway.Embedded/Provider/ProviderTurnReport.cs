using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Provider.Wire;
using Cerver.Gateway.Embedded.Sessions;
using Cerver.Gateway.Embedded.Sessions.Agents;
using Cerver.Gateway.Embedded.Sessions.Wire;
using Cerver.Relay.Compute.Agents;

namespace Cerver.Gateway.Embedded.Provider;

/// <summary>
/// One turn of a provider sandbox's agent as its Cerver session sees it (SPEC 10, 11): <c>running</c>
/// when it starts, each entry as it comes, and at its end — however it ends — the
/// <c>session_completed</c> entry, the metadata and the status, as a session this gateway drives
/// itself records them. Every event is also offered live.
/// </summary>
internal sealed class ProviderTurnReport
{
    private readonly ISessionReports _reports;
    private readonly ILiveSessionEvents _live;
    private readonly TimeProvider _time;
    private readonly string _sessionId;
    private readonly bool _completeOnExit;
    private readonly long _startedAt;
    private bool _ended;

    public ProviderTurnReport(ISessionReports reports, ILiveSessionEvents live, TimeProvider time, string sessionId, ProviderAgentRecord agent)
    {
        _reports = reports;
        _live = live;
        _time = time;
        _sessionId = sessionId;
        _completeOnExit = agent.CompleteOnExit;
        _startedAt = time.GetTimestamp();
        Metadata = agent.Reported?.DeepClone() as JsonObject ?? [];
        Metadata["cli_tool"] = agent.Harness;
        if (agent.Model is { } model)
        {
            Metadata["cli_model"] = model;
        }

        if (agent.CliSessionId is { } thread)
        {
            Metadata["cli_session_id"] = thread;
        }
    }

    /// <summary>The session's metadata as this agent reports it, kept with the agent so the usage adds up over turns.</summary>
    public JsonObject Metadata { get; }

    public void Started() => _reports.Status(_sessionId, SessionStatus.Running, null);

    public void Observe(AgentEvent item)
    {
        _live.Publish(_sessionId, item);
        switch (item)
        {
            case AgentEntryEvent { Entry: var entry }:
                Entry(entry.Role, entry.Kind, entry.Content, entry);
                break;
            case AgentSessionEvent reported:
                SessionMetadata.Remember(Metadata, reported);
                break;
            case AgentTurnCompleted end:
                End(end);
                break;
        }
    }

    /// <summary>The turn could not run or broke off with a refusal: the session is told why, as an assistant's text.</summary>
    public void Failed(string message) => Observe(new AgentEntryEvent(AgentEntry.Text(message)));

    /// <summary>
    /// Ends the report of a turn whose events stopped before its completion (its reader went away,
    /// or it was refused): a reader of the session never waits on a turn that is over.
    /// </summary>
    public void Ended()
    {
        if (!_ended)
        {
            Observe(new AgentTurnCompleted(1, (long)_time.GetElapsedTime(_startedAt).TotalMilliseconds, 0, 0, []) { Outcome = AgentTurnOutcome.Failed });
        }
    }

    /// <summary>Ends the report of a turn a relay that died cut: the session is told so, and the turn ends as cancelled.</summary>
    public void Interrupted(string message)
    {
        Failed(message);
        Observe(new AgentTurnCompleted(137, 0, 0, 0, []) { Outcome = AgentTurnOutcome.Cancelled });
    }

    private void End(AgentTurnCompleted end)
    {
        _ended = true;
        var total = AgentUsage.Accumulate(Metadata, end);
        Entry("system", "session_completed", AgentUsage.CompletionContent(end.ExitCode, end.DurationMs, total), null);
        var reported = (JsonObject)Metadata.DeepClone();
        reported.Remove(AgentUsage.ThreadKey);
        _reports.Metadata(_sessionId, reported);
        var succeeded = end.Outcome == AgentTurnOutcome.Succeeded;
        var status = !_completeOnExit ? SessionStatus.Idle : succeeded ? "completed" : SessionStatus.Failed;
        _reports.Status(_sessionId, status, EndReason(end.Outcome));
    }

    private void Entry(string role, string kind, string content, AgentEntry? detail) =>
        _reports.Entry(_sessionId, new AppendedEntry
        {
            Id = SessionService.NewId("ent_"),
            At = _time.GetUtcNow(),
            Role = role,
            Kind = kind,
            Content = content,
            ToolId = detail?.ToolId,
            ToolName = detail?.ToolName,
            ToolInput = detail?.ToolInput?.DeepClone(),
            IsError = detail?.IsError,
        });

    /// <summary>How the turn ended, as a status's <c>end_reason</c>: succeeded, failed, timed_out, stalled, cancelled, not_installed.</summary>
    private static string EndReason(AgentTurnOutcome outcome) => outcome switch
    {
        AgentTurnOutcome.TimedOut => "timed_out",
        AgentTurnOutcome.NotInstalled => "not_installed",
        _ => outcome.ToString().ToLowerInvariant(),
    };
}
