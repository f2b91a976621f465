namespace Cerver.Relay.Bench;

/// <summary>An open streamed run: its server-sent events, read one at a time.</summary>
internal sealed class StreamedRun(HttpResponseMessage response, StreamReader reader) : IDisposable
{
    /// <summary>Reads events until one matches; returns its data, or throws when the stream ends first.</summary>
    public async Task<string> ReadUntilAsync(Func<string, string, bool> wanted, CancellationToken cancellationToken)
    {
        string? current = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                current = line["event: ".Length..];
            }
            else if (current is not null && line.StartsWith("data: ", StringComparison.Ordinal) && wanted(current, line["data: ".Length..]))
            {
                return line["data: ".Length..];
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
