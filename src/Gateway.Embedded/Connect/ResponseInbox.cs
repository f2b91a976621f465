using System.Threading.Channels;
using Cerver.Gateway.Embedded.Connect.Wire;

namespace Cerver.Gateway.Embedded.Connect;

/// <summary>
/// The answer frames of one request that its reader has not taken yet, bounded by the text they hold.
/// </summary>
/// <remarks>
/// One receive loop serves every request of a channel, so it must never wait for a request's
/// reader: backpressure there would stall every other request and the pings with it. A reader
/// that falls <see cref="MaxQueuedChars"/> behind its relay instead overruns its own inbox, and
/// only its request fails. The relay is not slowed per request, and a streamed run's output
/// arrives as fast as the run writes it while its consumer may write each chunk out to a slower
/// client: the bound leaves room for a large stream (the bench's 64 MiB) to be read a little
/// slower than it comes, so only a consumer that stopped reading gets this far behind.
/// </remarks>
internal sealed class ResponseInbox
{
    /// <summary>64M characters: up to 128 MiB of queued text per request.</summary>
    public const long MaxQueuedChars = 64L * 1024 * 1024;

    // A frame's own fields count too, so a flood of empty chunks is bounded as well.
    private const int FrameOverheadChars = 64;

    private readonly Channel<ConnectFrame> _frames = Channel.CreateUnbounded<ConnectFrame>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private long _queuedChars;

    /// <summary>
    /// Queues a frame; false when a chunk would take the inbox past its bound. The start, the
    /// end and a whole response always fit: there is one of each per request, and a frame is
    /// capped in size.
    /// </summary>
    public bool TryPost(ConnectFrame frame)
    {
        var size = SizeOf(frame);
        if (frame.Type == ConnectFrameTypes.ResponseChunk && Interlocked.Add(ref _queuedChars, size) > MaxQueuedChars)
        {
            return false;
        }

        return _frames.Writer.TryWrite(frame);
    }

    /// <summary>The next frame; null once the inbox is completed, or its failure.</summary>
    public async ValueTask<ConnectFrame?> TakeAsync(CancellationToken cancellationToken)
    {
        while (await _frames.Reader.WaitToReadAsync(cancellationToken))
        {
            if (_frames.Reader.TryRead(out var frame))
            {
                if (frame.Type == ConnectFrameTypes.ResponseChunk)
                {
                    Interlocked.Add(ref _queuedChars, -SizeOf(frame));
                }

                return frame;
            }
        }

        return null;
    }

    /// <summary>Ends the request with an error for its reader; false when it had already ended.</summary>
    public bool Fail(Exception error) => _frames.Writer.TryComplete(error);

    /// <summary>Ends the request after the frames already queued.</summary>
    public void Complete() => _frames.Writer.TryComplete();

    private static long SizeOf(ConnectFrame frame) => (frame.Data?.Length ?? 0) + FrameOverheadChars;
}
