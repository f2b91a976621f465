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
    /// <summary>The next entry, stamped with when its data line was read; throws at the stream's end or at its timeout.</summary>
    public async Task<SessionEntry> NextAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        string? current = null;
        while (await reader.ReadLineAsync(limit.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                current = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                // Stamped before parsing: the entry is in the bench's hands from this read on.
                var receivedNs = WallClock.NowNs();
                if (current == "entry")
                {
                    using var document = JsonDocument.Parse(line["data: ".Length..]);
                    return SessionEntry.From(document.RootElement, receivedNs);
                }

                if (current == "end")
                {
                    throw new BenchException($"the session's stream ended before the entry the bench waited for: {line}");
                }
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
