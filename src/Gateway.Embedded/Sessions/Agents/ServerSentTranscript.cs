using System.Globalization;
using System.Text.Json;
using Cerver.Gateway.Embedded.Http;
using Cerver.Gateway.Embedded.Sessions.Wire;
using Microsoft.AspNetCore.Http;

namespace Cerver.Gateway.Embedded.Sessions.Agents;

/// <summary>
/// GET /v2/sessions/{id}/stream: the transcript as server-sent events, each entry pushed the
/// moment it is stored. The event id is the entry's index, so a client that reconnects with
/// <c>Last-Event-ID</c> (or <c>?since=N</c>) gets exactly what it missed. The stream ends with
/// an <c>end</c> event once the session is over; quiet periods carry a comment as a keep-alive.
/// </summary>
public static class ServerSentTranscript
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static async Task StreamAsync(HttpContext context, string sessionId, SessionStore store, TranscriptFeed feed, TimeProvider time)
    {
        var session = store.Find(sessionId) ?? throw new Relay.Compute.Contract.ComputeException(
            Relay.Compute.Contract.ComputeErrorKind.NotFound, "session_not_found", $"No session '{sessionId}'.");
        var after = StartAfter(context.Request);
        var response = context.Response;
        var cancellationToken = context.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        response.Headers["X-Cerver-Session-Id"] = session.SessionId;
        await response.Body.FlushAsync(cancellationToken);

        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // Take the signal before reading, so an entry stored in between wakes us at once.
                var next = feed.NextAppend(sessionId);
                // The status is read before the entries: the commit that ends a session carries its last entries.
                var status = store.Find(sessionId)?.Status ?? SessionStatus.Terminated;
                foreach (var entry in store.ReadTranscript(sessionId, after))
                {
                    await WriteEntryAsync(response, entry, cancellationToken);
                    after = entry.Seq;
                }

                if (SessionStatus.IsEnded(status))
                {
                    await ServerSentRunEvents.WriteEventAsync(response, "end",
                        $$"""{"session_id":"{{sessionId}}","status":"{{status}}","transcript_total":{{after}}}""", cancellationToken);
                    return;
                }

                if (await Task.WhenAny(next, Task.Delay(KeepAlive, time, cancellationToken)) != next)
                {
                    await response.WriteAsync(": keep-alive\n\n", cancellationToken);
                    await response.Body.FlushAsync(cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    private static async Task WriteEntryAsync(HttpResponse response, TranscriptEntry entry, CancellationToken cancellationToken)
    {
        var data = JsonSerializer.Serialize(V2TranscriptEntry.From(entry), V2JsonContext.Default.V2TranscriptEntry);
        await response.WriteAsync($"id: {entry.Seq.ToString(CultureInfo.InvariantCulture)}\n", cancellationToken);
        await ServerSentRunEvents.WriteEventAsync(response, "entry", data, cancellationToken);
    }

    private static long StartAfter(HttpRequest request)
    {
        var raw = request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } header ? header : request.Query["since"].ToString();
        if (raw.Length == 0)
        {
            return 0;
        }

        return long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Relay.Compute.Contract.ComputeException.Invalid("since", $"must be a whole number (an entry index), not '{raw}'");
    }
}
