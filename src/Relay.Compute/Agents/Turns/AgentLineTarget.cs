using System.Buffers;
using System.Text;
using CliWrap;

namespace Cerver.Relay.Compute.Agents.Turns;

/// <summary>
/// Splits an agent's standard output into lines as they arrive and hands each to the turn.
/// A line is bounded: a CLI that prints megabytes without a newline costs the cap, not the
/// daemon's memory, and the rest of that line is dropped. Invalid UTF-8 becomes U+FFFD.
/// </summary>
internal sealed class AgentLineTarget(Func<string, ValueTask> onLine, Action onActivity, int maxLineBytes) : PipeTarget
{
    private static readonly UTF8Encoding Utf8 = new(false, false);

    public int DroppedLines { get; private set; }

    public override async Task CopyFromAsync(Stream origin, CancellationToken cancellationToken = default)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var line = new ArrayBufferWriter<byte>();
        var overflowing = false;
        try
        {
            int read;
            while ((read = await origin.ReadAsync(buffer, cancellationToken)) > 0)
            {
                onActivity();
                var chunk = buffer.AsMemory(0, read);
                while (chunk.Length > 0)
                {
                    var newline = chunk.Span.IndexOf((byte)'\n');
                    var part = newline < 0 ? chunk : chunk[..newline];
                    if (!overflowing && line.WrittenCount + part.Length <= maxLineBytes)
                    {
                        line.Write(part.Span);
                    }
                    else if (!overflowing)
                    {
                        overflowing = true;
                        DroppedLines++;
                    }

                    if (newline < 0)
                    {
                        break;
                    }

                    if (!overflowing)
                    {
                        await EmitAsync(line);
                    }

                    line.ResetWrittenCount();
                    overflowing = false;
                    chunk = chunk[(newline + 1)..];
                }
            }

            if (line.WrittenCount > 0 && !overflowing)
            {
                await EmitAsync(line);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private ValueTask EmitAsync(ArrayBufferWriter<byte> line)
    {
        var text = Utf8.GetString(line.WrittenSpan).TrimEnd('\r');
        return text.Length == 0 ? ValueTask.CompletedTask : onLine(text);
    }
}
