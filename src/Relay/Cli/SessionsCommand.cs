using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Sessions.Wire;
using Cerver.Relay.Sessions;

namespace Cerver.Relay.Cli;

public static class SessionsCommand
{
    private static readonly System.Text.Json.JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON (stable for scripts)." };
        var limit = new Option<int>("--limit") { Description = "How many sessions to list (1-200).", DefaultValueFactory = _ => 20 };
        var status = new Option<string?>("--status") { Description = "Only sessions with this status (ready, running, idle, failed, terminated)." };
        var list = new Command("list", "List recent sessions, newest first.") { json, limit, status };
        Func<ParseResult, CancellationToken, Task<int>> listAction = (parse, cancellationToken) => DaemonClient.RunAsync(async client =>
        {
            var query = $"/v2/sessions?limit={parse.GetValue(limit)}" + (parse.GetValue(status) is { } s ? $"&status={Uri.EscapeDataString(s)}" : "");
            var result = await client.GetJsonAsync(query, cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(result.ToJsonString(Indented));
                return ExitCodes.Ok;
            }

            var sessions = result["sessions"]!.AsArray();
            if (sessions.Count == 0)
            {
                Console.WriteLine("No sessions yet. Create one with POST /gateway/sessions.");
                return ExitCodes.Ok;
            }

            Console.WriteLine($"{"SESSION",-29} {"STATUS",-11} {"AGENT",-7} {"MODEL",-18} {"TURNS",5} {"TOKENS",9} {"MESSAGES",8}  {"UPDATED",-20} NAME");
            foreach (var session in sessions)
            {
                var metadata = session!["metadata"];
                var usage = metadata?["usage_total"];
                var tokens = usage is null ? "–" : ((usage["input_tokens"]?.GetValue<long>() ?? 0) + (usage["output_tokens"]?.GetValue<long>() ?? 0)).ToString(CultureInfo.InvariantCulture);
                Console.WriteLine($"{session["sessionId"],-29} {session["status"],-11} {metadata?["cli_tool"]?.ToString() ?? "–",-7} {Cut(metadata?["cli_model"]?.ToString() ?? "–", 18),-18} {usage?["turns"]?.ToString() ?? "–",5} {tokens,9} {session["messageCount"],8}  {CliOutput.When(session["updatedAt"]),-20} {session["sessionName"]}");
            }

            return ExitCodes.Ok;
        });
        list.SetAction(listAction);

        var showId = new Argument<string>("id") { Description = "The session id (ses_…)." };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing the transcript as it grows, until the session ends (Ctrl-C to stop)." };
        var show = new Command("show", "Show a session: its agent, routing, metrics and latest transcript turns.") { showId, json, follow };
        show.SetAction((parse, cancellationToken) => DaemonClient.RunAsync(async client =>
        {
            var id = Uri.EscapeDataString(parse.GetValue(showId)!);
            var session = await client.GetJsonAsync($"/gateway/sessions/{id}", cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(session.ToJsonString(Indented));
                return ExitCodes.Ok;
            }

            var metrics = session["metrics"]!;
            var agent = session["metadata"];
            CliOutput.Table(
            [
                ("session", $"{session["session_id"]} ({session["session_name"] ?? "unnamed"})"),
                ("status", session["status"]!.ToString()),
                ("agent", agent?["cli_tool"] is null ? "none (code runs only)"
                    : $"{agent["cli_tool"]} {agent["cli_model"]?.ToString() ?? ""}, {agent["usage_total"]?["turns"]?.ToString() ?? "0"} turns, "
                      + $"{agent["usage_total"]?["input_tokens"]?.ToString() ?? "0"} in / {agent["usage_total"]?["output_tokens"]?.ToString() ?? "0"} out tokens"),
                ("provider", $"{session["provider"]} on {session["compute_id"]}, sandbox {session["sandbox_id"]}"),
                ("routing", $"{session["routing"]!["confidence"]} confidence: {session["routing"]!["primary_reason"]}"),
                ("created", CliOutput.When(session["created_at"])),
                ("runs", $"{metrics["total_exec_count"]} runs, {metrics["total_stream_count"]} streams, avg {metrics["average_exec_latency_ms"]?.ToString() ?? "–"} ms"),
                ("engagement", $"{metrics["engagement_label"]} ({metrics["engagement_score"]})"),
                ("transcript", $"{session["transcript_total"]} entries"),
            ]);
            var transcript = session["transcript"]!.AsArray();
            if (transcript.Count > 0)
            {
                Console.WriteLine();
                foreach (var entry in transcript.TakeLast(10))
                {
                    Console.WriteLine(Line(entry!, 200));
                }
            }

            if (parse.GetValue(follow))
            {
                await FollowAsync(client, id, session["transcript_total"]!.GetValue<long>(), cancellationToken);
            }

            return ExitCodes.Ok;
        }));

        var exportId = new Argument<string>("id") { Description = "The session id (ses_…)." };
        var export = new Command("export", "Print a session's whole transcript as plain text.") { exportId };
        export.SetAction((parse, cancellationToken) => DaemonClient.RunAsync(async client =>
        {
            var session = await client.GetJsonAsync($"/v2/sessions/{Uri.EscapeDataString(parse.GetValue(exportId)!)}?full=1", cancellationToken);
            Console.Write(TranscriptText.Export(session.Deserialize(V2JsonContext.Default.V2SessionDetail)!));
            return ExitCodes.Ok;
        }));

        // 'cerver-relay sessions' alone lists, with the same options as 'sessions list'.
        var sessions = new Command("sessions", "List (the default), show and export the embedded gateway's sessions.") { list, show, export, json, limit, status };
        sessions.SetAction(listAction);
        return sessions;
    }

    /// <summary>Prints entries from the session's live stream as they land, until the session ends or the user stops it.</summary>
    private static async Task FollowAsync(DaemonClient client, string id, long after, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/sessions/{id}/stream?since={after}");
        using var response = await client.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        var name = "";
        try
        {
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    var data = JsonNode.Parse(line[6..])!;
                    Console.WriteLine(name == "end" ? $"-- session {data["status"]}" : Line(data, 2000));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C: stop following; the session goes on.
        }
    }

    private static string Cut(string text, int width) => text.Length <= width ? text : string.Concat(text.AsSpan(0, width - 1), "…");

    private static string Line(JsonNode entry, int maxContent)
    {
        var content = entry["content"]!.GetValue<string>();
        if (content.Length > maxContent)
        {
            content = string.Concat(content.AsSpan(0, maxContent), "…");
        }

        var label = entry["kind"]!.GetValue<string>() == "message" ? entry["role"]!.GetValue<string>() : $"{entry["role"]} {entry["kind"]}";
        return new StringBuilder().Append('[').Append(CliOutput.When(entry["at"])).Append("] ").Append(label).Append(": ").Append(content.TrimEnd('\n')).ToString();
    }
}
