using System.Text;

namespace Cerver.Relay.Tests.Infrastructure;

public sealed record ServerSentEvent(string Name, string Data);

/// <summary>A small SSE reader that follows the spec: data lines joined with '\n', an event per blank line.</summary>
public static class ServerSentEvents
{
    public static async Task<List<ServerSentEvent>> ReadAllAsync(HttpResponseMessage response)
    {
        var events = new List<ServerSentEvent>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? name = null;
        var data = new StringBuilder();
        var hasData = false;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0)
            {
                if (hasData)
                {
                    events.Add(new ServerSentEvent(name ?? "message", data.ToString()));
                }

                name = null;
                data.Clear();
                hasData = false;
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                name = line[6..].TrimStart();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                if (hasData)
                {
                    data.Append('\n');
                }

                data.Append(line.Length > 5 && line[5] == ' ' ? line[6..] : line[5..]);
                hasData = true;
            }
        }

        return events;
    }
}
