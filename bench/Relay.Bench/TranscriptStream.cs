using System.Text.Json;

namespace Cerver.Relay.Bench;

/// <summary>One transcript entry as the bench read it, and the wall clock (ns) when it was read.</summary>
internal sealed record SessionEntry(long Seq, string Role, string Kind, string Content, long ReceivedNs)
{
    public static SessionEntry From(JsonElement entry, long receivedNs) => new(
        entry.GetProperty("seq").GetInt64(),
        entry.GetProperty("role").GetString() ?? "",
        entry.GetProperty("kind").GetString() ?? "",
        entry.GetProperty("content").GetString() ?? "",
        receivedNs);
}

/// <summary>An open <c>/v2/sessions/{id}/stream</c>: its <c>entry</c> events, read one at a time.</summary>
internal sealed class TranscriptStream(HttpResponseMessage response, StreamReader reader) : IDisposable
{
    private readonly EventLines _events = new(reader);

    /// <summary>The next entry, stamped with when its data line was read; throws at the stream's end or at its timeout.</summary>
    public async Task<SessionEntry> NextAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        while (await _events.NextAsync(limit.Token) is { } line)
        {
            if (line.Event == "entry")
            {
                using var document = JsonDocument.Parse(line.Data);
                return SessionEntry.From(document.RootElement, line.ReceivedNs);
            }

            if (line.Event == "end")
            {
                throw new BenchException($"the session's stream ended before the entry the bench waited for: {line.Data}");
            }
        }

        throw new BenchException("the session's stream closed before the entry the bench waited for");
    }

    public void Dispose()
    {
        reader.Dispose();
        response.Dispose();
    }
}
