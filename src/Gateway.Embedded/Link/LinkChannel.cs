using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using Cerver.Gateway.Embedded.Link.Wire;

namespace Cerver.Gateway.Embedded.Link;

/// <summary>
/// JSON frames over one WebSocket, for either end of the link. Sends are serialized (a
/// WebSocket allows one writer at a time); receives assemble a whole message up to a cap,
/// so a peer cannot make this side buffer without bound.
/// </summary>
public sealed class LinkChannel(WebSocket socket) : IDisposable
{
    /// <summary>
    /// Large enough for a 16 MiB file as base64, or as multi-byte UTF-8 text (frames do not
    /// escape non-ASCII, see <see cref="LinkJsonContext.Wire"/>), inside a frame.
    /// </summary>
    public const int MaxFrameBytes = 32 * 1024 * 1024;

    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly ArrayBufferWriter<byte> _incoming = new(16 * 1024);

    public WebSocketState State => socket.State;

    public async Task SendAsync(LinkFrame frame, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(frame, LinkJsonContext.Wire.LinkFrame);
        await _sending.WaitAsync(cancellationToken);
        try
        {
            // Never with the caller's token: cancelling a send in progress aborts the whole
            // WebSocket, and one call being cancelled must not take every other call down.
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>
    /// The next frame; <see cref="LinkReceive.Closed"/> when the peer closed the link, or a
    /// <see cref="LinkReceive.Malformed"/> reason for a frame that is not a JSON object.
    /// </summary>
    public async Task<LinkReceive> ReceiveAsync(CancellationToken cancellationToken)
    {
        _incoming.ResetWrittenCount();
        while (true)
        {
            var result = await socket.ReceiveAsync(_incoming.GetMemory(16 * 1024), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return LinkReceive.Closed;
            }

            _incoming.Advance(result.Count);
            if (_incoming.WrittenCount > MaxFrameBytes)
            {
                throw new LinkProtocolException(WebSocketCloseStatus.MessageTooBig, $"a frame is over {MaxFrameBytes} bytes");
            }

            if (!result.EndOfMessage)
            {
                continue;
            }

            if (result.MessageType != WebSocketMessageType.Text)
            {
                return LinkReceive.Malformed("frames are JSON text, not binary");
            }

            try
            {
                return JsonSerializer.Deserialize(_incoming.WrittenSpan, LinkJsonContext.Default.LinkFrame) is { } frame
                    ? LinkReceive.Of(frame)
                    : LinkReceive.Malformed("a frame is null");
            }
            catch (JsonException exception)
            {
                return LinkReceive.Malformed($"a frame is not a JSON object of the link protocol ({exception.Message})");
            }
        }
    }

    /// <summary>Closes politely when the socket still allows it; never throws.</summary>
    public async Task CloseAsync(WebSocketCloseStatus status, string reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(status, reason, timeout.Token);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            socket.Abort();
        }
    }

    public void Abort() => socket.Abort();

    public void Dispose()
    {
        socket.Dispose();
        _sending.Dispose();
    }
}

/// <summary>What one receive produced: a frame, a malformed frame's reason, or the end of the link.</summary>
public readonly record struct LinkReceive(LinkFrame? Frame, string? Problem, bool IsClosed)
{
    public static LinkReceive Closed => new(null, null, true);

    public static LinkReceive Of(LinkFrame frame) => new(frame, null, false);

    public static LinkReceive Malformed(string problem) => new(null, problem, false);
}

/// <summary>A peer broke the protocol badly enough that the link must close.</summary>
public sealed class LinkProtocolException(WebSocketCloseStatus status, string message) : Exception(message)
{
    public WebSocketCloseStatus Status { get; } = status;
}
