namespace Cerver.Relay.Bench;

/// <summary>One <c>data:</c> line of a server-sent event stream, with its event's name and when it was read.</summary>
internal readonly record struct EventLine(string? Event, string Data, long ReceivedNs);

/// <summary>
/// Reads a relay's server-sent events one <c>data:</c> line at a time. The relay writes each
/// event's data on one line, and the bench stamps a line the moment it is read (before any
/// parsing), which is what its latencies measure.
/// </summary>
internal sealed class EventLines(StreamReader reader)
{
    private string? _event;

    /// <summary>The next data line, or null at the end of the stream.</summary>
    public async Task<EventLine?> NextAsync(CancellationToken cancellationToken)
    {
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                _event = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return new EventLine(_event, line["data: ".Length..], WallClock.NowNs());
            }
        }

        return null;
    }
}
