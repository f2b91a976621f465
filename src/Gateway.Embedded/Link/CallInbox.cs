using System.Threading.Channels;
using Cerver.Gateway.Embedded.Link.Wire;

namespace Cerver.Gateway.Embedded.Link;

/// <summary>
/// The frames of one call that its reader has not taken yet, bounded by the text they hold.
/// </summary>
/// <remarks>
/// One receive loop serves every call of a link, so it must never wait for a call's reader:
/// backpressure there would stall every other call and the pings with it. A reader that falls
/// <see cref="MaxQueuedChars"/> behind its relay instead overruns its own inbox, and only its
/// call fails. The relay is not slowed per call, and a streamed run's output arrives as fast as
/// the run writes it while its consumer may write each chunk out to a slower client: the bound
/// leaves room for a large stream (the bench's 64 MiB) to be read a little slower than it comes,
/// so only a consumer that stopped reading gets this far behind.
/// </remarks>
internal sealed class CallInbox
{
    /// <summary>64M characters: up to 128 MiB of queued text per call.</summary>
    public const long MaxQueuedChars = 64L * 1024 * 1024;

    // A frame's own fields count too, so a flood of empty chunks is bounded as well.
    private const int FrameOverheadChars = 64;

    private readonly Channel<LinkFrame> _frames = Channel.CreateUnbounded<LinkFrame>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private long _queuedChars;

    /// <summary>
    /// Queues a frame; false when a chunk would take the inbox past its bound. The final
    /// result or error always fits: there is one per call, and a frame is capped in size.
    /// </summary>
    public bool TryPost(LinkFrame frame)
    {
        var size = SizeOf(frame);
        if (frame.Type == LinkFrameTypes.Chunk && Interlocked.Add(ref _queuedChars, size) > MaxQueuedChars)
        {
            return false;
        }

        return _frames.Writer.TryWrite(frame);
    }

    /// <summary>The next frame; null once the inbox is completed, or its failure.</summary>
    public async ValueTask<LinkFrame?> TakeAsync(CancellationToken cancellationToken)
    {
        while (await _frames.Reader.WaitToReadAsync(cancellationToken))
        {
            if (_frames.Reader.TryRead(out var frame))
            {
                if (frame.Type == LinkFrameTypes.Chunk)
                {
                    Interlocked.Add(ref _queuedChars, -SizeOf(frame));
                }

                return frame;
            }
        }

        return null;
    }

    /// <summary>Ends the call with an error for its reader; false when it had already ended.</summary>
    public bool Fail(Exception error) => _frames.Writer.TryComplete(error);

    private static long SizeOf(LinkFrame frame) => (frame.Data?.Length ?? 0) + FrameOverheadChars;
}
