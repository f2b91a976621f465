using System.Buffers;
using System.Threading.Channels;
using Cerver.Relay.Compute.Contract;
using CliWrap;

namespace Cerver.Relay.Compute.Processes;

/// <summary>
/// Forwards each read of a process's pipe as one chunk event, as soon as it is read. The
/// channel is bounded, so a slow reader slows the process instead of growing memory.
/// </summary>
/// <remarks>
/// A read takes what the pipe holds, up to its default capacity (64 KiB): a chatty process
/// still gets each line out at once, and a fast one a quarter of the chunks a 16 KiB read made,
/// each paying the decode, the event and, through a connect channel, a frame of its own.
/// </remarks>
internal sealed class StreamingTarget(OutputKind stream, ChannelWriter<RunStreamEvent> writer) : PipeTarget
{
    public override async Task CopyFromAsync(Stream origin, CancellationToken cancellationToken = default)
    {
        var decoder = new Utf8ChunkDecoder();
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await origin.ReadAsync(buffer, cancellationToken)) > 0)
            {
                var text = decoder.Decode(buffer.AsSpan(0, read));
                if (text.Length > 0)
                {
                    await writer.WriteAsync(new RunOutputEvent(stream, text), cancellationToken);
                }
            }

            var rest = decoder.Decode([], final: true);
            if (rest.Length > 0)
            {
                await writer.WriteAsync(new RunOutputEvent(stream, rest), cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
