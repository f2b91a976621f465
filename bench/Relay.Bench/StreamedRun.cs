namespace Cerver.Relay.Bench;

/// <summary>An open streamed run: its server-sent events, read one at a time.</summary>
internal sealed class StreamedRun(HttpResponseMessage response, StreamReader reader) : IDisposable
{
    private readonly EventLines _events = new(reader);

    /// <summary>Reads events until one matches; returns its data, or throws when the stream ends first.</summary>
    public async Task<string> ReadUntilAsync(Func<string, string, bool> wanted, CancellationToken cancellationToken)
    {
        while (await _events.NextAsync(cancellationToken) is { } line)
        {
            if (line.Event is not null && wanted(line.Event, line.Data))
            {
                return line.Data;
            }
        }

        throw new BenchException("the streamed run ended before the event the bench waited for");
    }

    public void Dispose()
    {
        reader.Dispose();
        response.Dispose();
    }
}
