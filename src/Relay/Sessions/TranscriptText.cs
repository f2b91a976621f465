using System.Globalization;
using System.Text;
using Cerver.Gateway.Embedded.Sessions.Wire;

namespace Cerver.Relay.Sessions;

/// <summary>
/// A transcript as plain text for a model or a person to read (<c>sessions export</c>, the MCP
/// tools): one block per entry, a header line (index, role/kind, time, the tool and whether it
/// failed) and the content; a tool call shows its input as JSON, since its content alone may not
/// say what it ran.
/// </summary>
public static class TranscriptText
{
    /// <summary>The whole session: a header line, then every entry.</summary>
    public static string Export(V2SessionDetail session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return $"# session {session.SessionId} ({session.Status}), {session.TranscriptTotal} entries\n\n{Format(session.Transcript)}";
    }

    public static string Format(IEnumerable<V2TranscriptEntry> entries)
    {
        var text = new StringBuilder();
        foreach (var entry in entries)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            text.Append(CultureInfo.InvariantCulture, $"#{entry.Seq} {entry.Role}/{entry.Kind} {entry.At.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}");
            if (entry.ToolName is { } tool)
            {
                text.Append(" tool=").Append(tool);
            }

            if (entry.ToolId is { } id)
            {
                text.Append(" id=").Append(id);
            }

            if (entry.IsError is true)
            {
                text.Append(" error");
            }

            text.Append('\n').Append(entry.Content.TrimEnd('\n')).Append('\n');
            if (entry.ToolInput is { } input && input.ToJsonString() is var json && !entry.Content.Contains(json, StringComparison.Ordinal))
            {
                text.Append("input: ").Append(json).Append('\n');
            }
        }

        return text.ToString();
    }
}
