using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Sessions;
using Cerver.Gateway.Embedded.Sessions.Wire;
using Cerver.Relay.Sessions;
using ModelContextProtocol.Protocol;

namespace Cerver.Relay.Mcp.Tools;

/// <summary>
/// cerver_agent_turn: a prompt to a session's agent, answered when its turn ends. The input is
/// posted, then the session's stream is followed from that input's index to the turn's
/// <c>system/session_completed</c>. A session already in a turn is refused rather than queued
/// behind it, so the first session_completed after the input is this prompt's own.
/// </summary>
public sealed class AgentTurnTool(RelayApiClient api, TimeProvider time) : IMcpTool
{
    private const string Completed = "session_completed";

    public Tool Definition { get; } = ToolSchemas.Define("cerver_agent_turn",
        "Send a prompt to a session's coding agent (a session created with cli_tool) and wait for its turn to end: the agent's text, tool calls and results, the exit code and usage.",
        $$"""
        {
          "type": "object",
          "properties": {
            {{ToolSchemas.SessionId}},
            "prompt": { "type": "string", "minLength": 1, "description": "What to ask the agent." },
            {{ToolSchemas.TimeoutSeconds("How long to wait for the turn, in seconds (1 to 3600, default 600); the turn goes on after a timeout.")}}
          },
          "required": ["session_id", "prompt"],
          "additionalProperties": false
        }
        """);

    public async Task<CallToolResult> CallAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var id = arguments.RequiredString("session_id");
        var prompt = arguments.RequiredString("prompt");
        var wait = TimeSpan.FromSeconds(arguments.OptionalInteger("timeout_seconds", 1, 3600, 600));
        var path = $"/v2/sessions/{Uri.EscapeDataString(id)}";

        var session = await api.GetAsync($"{path}?tail=1", V2JsonContext.Default.V2SessionDetail, cancellationToken);
        if (session.Metadata["cli_tool"] is null)
        {
            throw new McpToolException($"Session {session.SessionId} has no agent (it was created without cli_tool); run code in it with cerver_run, or create an agent session with cerver_session_create.");
        }

        if (session.Status == SessionStatus.Running)
        {
            throw new McpToolException($"Session {session.SessionId} is in a turn already; wait for it to end (cerver_session_peek shows its session_completed), then send the prompt.");
        }

        var input = await api.PostAsync($"{path}/input", new Cerver.Gateway.Embedded.Sessions.Wire.InputRequest { Role = "user", Content = prompt }, GatewayJsonContext.Default.InputRequest,
            GatewayJsonContext.Default.InputResponse, RelayApiClient.RequestTimeout, cancellationToken);
        using var timeout = new CancellationTokenSource(wait, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var entries = new List<V2TranscriptEntry>();
        try
        {
            await foreach (var item in api.StreamAsync($"{path}/stream?since={input.Entry.Seq.ToString(CultureInfo.InvariantCulture)}", linked.Token))
            {
                if (item.EventType == "end")
                {
                    throw new McpToolException($"Session {session.SessionId} ended before the turn completed; read what it did with cerver_session_export.");
                }

                if (item.EventType != "entry" || JsonSerializer.Deserialize(item.Data, V2JsonContext.Default.V2TranscriptEntry) is not { } entry)
                {
                    continue;
                }

                if (entry.Role == "system" && entry.Kind == Completed)
                {
                    return Result(session.SessionId, entry.Content, entries);
                }

                entries.Add(entry);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new McpToolException($"The turn in session {session.SessionId} is still running after {wait.TotalSeconds:0} s; read it later with cerver_session_peek (session_id {session.SessionId}).");
        }

        throw new McpToolException($"The relay stopped the stream of session {session.SessionId} before the turn completed; read it with cerver_session_peek.");
    }

    private static CallToolResult Result(string sessionId, string completion, List<V2TranscriptEntry> entries)
    {
        var payload = JsonNode.Parse(completion) as JsonObject;
        var view = new AgentTurnView(sessionId,
            payload?["exit_code"]?.GetValue<int>() ?? -1,
            payload?["duration_ms"]?.GetValue<long>() ?? 0,
            payload?["total_usage"] as JsonObject,
            [.. entries.Select(TranscriptEntryView.From)]);
        var text = new StringBuilder(TranscriptText.Format(entries))
            .Append(CultureInfo.InvariantCulture, $"\nturn ended: exit_code {view.ExitCode}, {view.DurationMs} ms, session usage {view.TotalUsage?.ToJsonString() ?? "unknown"}\n");
        return ToolResults.Json(view, McpJsonContext.Default.AgentTurnView, text.ToString());
    }
}
