using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

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
        list.SetAction((parse, cancellationToken) => DaemonClient.RunAsync(async client =>
        {
            var query = $"/v2/sessions?limit={parse.GetValue(limit)}" + (parse.GetValue(status) is { } s ? $"&status={Uri.EscapeDataString(s)}" : "");
            var result = await client.GetJsonAsync(query, cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(result.ToJsonString(Indented));
                return CliOutput.Ok;
            }

            var sessions = result["sessions"]!.AsArray();
            if (sessions.Count == 0)
            {
                Console.WriteLine("No sessions yet. Create one with POST /gateway/sessions.");
                return CliOutput.Ok;
            }

            Console.WriteLine($"{"SESSION",-29} {"STATUS",-11} {"MESSAGES",8}  {"UPDATED",-20} NAME");
            foreach (var session in sessions)
            {
                Console.WriteLine($"{session!["sessionId"],-29} {session["status"],-11} {session["messageCount"],8}  {CliOutput.When(session["updatedAt"]),-20} {session["sessionName"]}");
            }

            return CliOutput.Ok;
        }));

        var showId = new Argument<string>("id") { Description = "The session id (ses_…)." };
        var show = new Command("show", "Show a session: routing, metrics and its latest transcript turns.") { showId, json };
        show.SetAction((parse, cancellationToken) => DaemonClient.RunAsync(async client =>
        {
            var session = await client.GetJsonAsync($"/gateway/sessions/{Uri.EscapeDataString(parse.GetValue(showId)!)}", cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(session.ToJsonString(Indented));
                return CliOutput.Ok;
            }

            var metrics = session["metrics"]!;
            CliOutput.Table(
            [
                ("session", $"{session["session_id"]} ({session["session_name"] ?? "unnamed"})"),
                ("status", session["status"]!.ToString()),
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

            return CliOutput.Ok;
        }));

        var exportId = new Argument<string>("id") { Description = "The session id (ses_…)." };
        var export = new Command("export", "Print a session's whole transcript as plain text.") { exportId };
        export.SetAction((parse, cancellationToken) => DaemonClient.RunAsync(async client =>
        {
            var session = await client.GetJsonAsync($"/v2/sessions/{Uri.EscapeDataString(parse.GetValue(exportId)!)}?full=1", cancellationToken);
            Console.WriteLine($"# session {session["sessionId"]} ({session["status"]}), {session["transcriptTotal"]} entries");
            foreach (var entry in session["transcript"]!.AsArray())
            {
                Console.WriteLine();
                Console.WriteLine(Line(entry!, int.MaxValue));
            }

            return CliOutput.Ok;
        }));

        return new Command("sessions", "List, show and export the embedded gateway's sessions.") { list, show, export };
    }

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
