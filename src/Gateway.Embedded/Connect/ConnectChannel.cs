using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using Cerver.Gateway.Embedded.Connect.Wire;

namespace Cerver.Gateway.Embedded.Connect;

/// <summary>
/// JSON frames over one WebSocket, for either end of the connect channel. Sends are
/// serialized (a WebSocket allows one writer at a time) and never cancelled midway (that
/// aborts the socket for every request on it); a receive assembles one message up to
/// <see cref="MaxFrameBytes"/>, so a peer cannot make this side buffer without bound.
/// </summary>
public sealed class ConnectChannel(WebSocket socket) : IDisposable
{
    /// <summary>Large enough for a 16 MiB file as base64 inside a response.</summary>
    public const int MaxFrameBytes = 32 * 1024 * 1024;

    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly ArrayBufferWriter<byte> _incoming = new(16 * 1024);

    public async Task SendAsync(ConnectFrame frame, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(frame, ConnectJsonContext.Wire.ConnectFrame);
        await _sending.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>The next frame, null when the peer closed; a frame that is not one of ours is <see cref="ConnectReceive.Problem"/>.</summary>
    public async Task<ConnectReceive?> ReceiveAsync(CancellationToken cancellationToken)
    {
        _incoming.ResetWrittenCount();
        while (true)
        {
            var result = await socket.ReceiveAsync(_incoming.GetMemory(16 * 1024), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            _incoming.Advance(result.Count);
            if (_incoming.WrittenCount > MaxFrameBytes)
            {
                throw new ConnectProtocolException(WebSocketCloseStatus.MessageTooBig, $"a frame is over {MaxFrameBytes} bytes");
            }

            if (!result.EndOfMessage)
            {
                continue;
            }

            if (result.MessageType != WebSocketMessageType.Text)
            {
                return new ConnectReceive(null, "frames are JSON text, not binary");
            }

            try
            {
                return JsonSerializer.Deserialize(_incoming.WrittenSpan, ConnectJsonContext.Wire.ConnectFrame) is { } frame
                    ? new ConnectReceive(frame, null)
                    : new ConnectReceive(null, "a frame is null");
            }
            catch (JsonException exception)
            {
                return new ConnectReceive(null, $"a frame is not a JSON object of the connect channel ({exception.Message})");
            }
        }
    }

    /// <summary>Closes politely when the socket still allows it, within two seconds; never throws.</summary>
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

/// <summary>One received frame, or why what arrived is not one.</summary>
public sealed record ConnectReceive(ConnectFrame? Frame, string? Problem);

/// <summary>The peer broke the channel's rules in a way that ends it (a frame over the cap).</summary>
public sealed class ConnectProtocolException(WebSocketCloseStatus status, string message) : Exception(message)
{
    public WebSocketCloseStatus Status { get; } = status;
}
