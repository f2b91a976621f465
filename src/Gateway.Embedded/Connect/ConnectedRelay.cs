using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Connect.Wire;
using Cerver.Gateway.Embedded.Link;
using Cerver.Relay.Compute.Contract;
using Microsoft.Extensions.Logging;

namespace Cerver.Gateway.Embedded.Connect;

/// <summary>
/// The gateway's end of one relay's connect channel: sends <c>request</c> frames, hands the
/// relay's answers to whoever waits for them by <c>request_id</c>, pings, and fails every
/// request still waiting the moment the channel goes away, or when its deadline passes (and
/// then tells the relay to stop working on it).
/// </summary>
public sealed partial class ConnectedRelay : IDisposable
{
    private readonly ConnectChannel _channel;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, ResponseInbox> _pending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closed = new();
    private long _nextRequest;
    private long _lastFrameAt;

    public ConnectedRelay(ConnectChannel channel, string computeId, TimeProvider time, ILogger logger)
    {
        _channel = channel;
        ComputeId = computeId;
        _time = time;
        _logger = logger;
        ConnectedAt = time.GetUtcNow();
        _lastFrameAt = time.GetTimestamp();
    }

    /// <summary>How often the gateway pings; three intervals without any frame end the channel.</summary>
    public static TimeSpan PingInterval { get; } = TimeSpan.FromSeconds(15);

    public string ComputeId { get; }

    public DateTimeOffset ConnectedAt { get; }

    public CancellationToken Closed => _closed.Token;

    public int PendingRequests => _pending.Count;

    /// <summary>
    /// One request served by the relay's own API; its answer, whatever the status. Throws
    /// <c>relay_disconnected</c> when the channel ends first, <c>relay_timed_out</c> when the
    /// relay has not answered within <paramref name="deadline"/>.
    /// </summary>
    public async Task<ConnectResponse> SendRequestAsync(string method, string path, JsonNode? body, TimeSpan deadline, CancellationToken cancellationToken)
    {
        await foreach (var frame in ExchangeAsync(method, path, body, stream: false, deadline, cancellationToken))
        {
            return new ConnectResponse(frame.Status ?? 500, frame.Body);
        }

        throw LinkErrors.Disconnected(ComputeId);
    }

    /// <summary>
    /// The frames answering one request: a single <c>response</c>, or, when
    /// <paramref name="stream"/> asks for it and the answer is a stream, <c>response_start</c>
    /// and its <c>response_chunk</c>s (the <c>response_end</c> ends the sequence). The deadline
    /// covers the whole exchange; a caller that stops early, cancels or outwaits it has the
    /// relay told to cancel the request, so its work there stops too.
    /// </summary>
    public async IAsyncEnumerable<ConnectFrame> ExchangeAsync(string method, string path, JsonNode? body, bool stream, TimeSpan deadline, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var id = "r" + Interlocked.Increment(ref _nextRequest).ToString(CultureInfo.InvariantCulture);
        var inbox = new ResponseInbox();
        _pending[id] = inbox;
        using var timeout = new CancellationTokenSource(deadline, _time);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var answered = false;
        try
        {
            await SendAsync(new ConnectFrame { Type = ConnectFrameTypes.Request, RequestId = id, Method = method, Path = path, Body = body, Stream = stream ? true : null }, cancellationToken);
            while (true)
            {
                ConnectFrame? frame;
                try
                {
                    frame = await inbox.TakeAsync(waiting.Token);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw LinkErrors.TimedOut(ComputeId, $"{method} {path}", deadline);
                }

                if (frame is null || frame.Type == ConnectFrameTypes.ResponseEnd)
                {
                    answered = true;
                    yield break;
                }

                answered = frame.Type == ConnectFrameTypes.Response;
                yield return frame;
                if (answered)
                {
                    yield break;
                }
            }
        }
        finally
        {
            _pending.TryRemove(id, out _);
            if (!answered && !_closed.IsCancellationRequested)
            {
                await CancelOnRelayAsync(id);
            }
        }
    }

    private async Task SendAsync(ConnectFrame frame, CancellationToken cancellationToken)
    {
        if (_closed.IsCancellationRequested)
        {
            throw LinkErrors.Disconnected(ComputeId);
        }

        try
        {
            await _channel.SendAsync(frame, cancellationToken);
        }
        catch (Exception exception) when (exception is WebSocketException or ObjectDisposedException)
        {
            throw LinkErrors.Disconnected(ComputeId);
        }
    }

    private async Task CancelOnRelayAsync(string id)
    {
        try
        {
            await _channel.SendAsync(new ConnectFrame { Type = ConnectFrameTypes.Cancel, RequestId = id }, _closed.Token);
        }
        catch (Exception exception) when (exception is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The channel is going away; the relay cancels everything it was serving on it.
        }
    }

    /// <summary>Reads the relay's frames until the channel ends, then fails every request still waiting.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(stopping, _closed.Token);
        var pinging = PingAsync(both.Token);
        try
        {
            while (await _channel.ReceiveAsync(both.Token) is { } received)
            {
                Interlocked.Exchange(ref _lastFrameAt, _time.GetTimestamp());
                switch (received.Frame)
                {
                    case null:
                        LogMalformed(ComputeId, received.Problem!);
                        break;
                    case { Type: ConnectFrameTypes.Ping }:
                        await _channel.SendAsync(ConnectFrame.Pong, both.Token);
                        break;
                    case { Type: ConnectFrameTypes.Response or ConnectFrameTypes.ResponseStart or ConnectFrameTypes.ResponseChunk or ConnectFrameTypes.ResponseEnd } frame:
                        Deliver(frame);
                        break;
                    case { Type: ConnectFrameTypes.Pong or ConnectFrameTypes.StreamEvent }:
                        break;
                    case var frame:
                        LogUnknownType(ComputeId, frame.Type ?? "(none)");
                        break;
                }
            }

            LogClosedByRelay(ComputeId);
        }
        catch (ConnectProtocolException exception)
        {
            LogProtocolBroken(ComputeId, exception.Message);
            await _channel.CloseAsync(exception.Status, exception.Message);
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            LogLost(ComputeId, exception.Message);
        }
        finally
        {
            await _closed.CancelAsync();
            foreach (var (_, inbox) in _pending)
            {
                inbox.Fail(LinkErrors.Disconnected(ComputeId));
            }

            await pinging;
            await _channel.CloseAsync(WebSocketCloseStatus.NormalClosure, "channel ended");
        }
    }

    /// <summary>
    /// An answer to its request's reader. A reader too far behind fails alone (its exchange
    /// then cancels the request on the relay); a whole response or an end closes the inbox.
    /// </summary>
    private void Deliver(ConnectFrame frame)
    {
        if (frame.RequestId is not { } id || !_pending.TryGetValue(id, out var inbox))
        {
            LogUnknownRequest(ComputeId, frame.RequestId ?? "(none)");
            return;
        }

        if (!inbox.TryPost(frame))
        {
            inbox.Fail(LinkErrors.Overrun(ComputeId, ResponseInbox.MaxQueuedChars * sizeof(char)));
            return;
        }

        if (frame.Type is ConnectFrameTypes.Response or ConnectFrameTypes.ResponseEnd)
        {
            inbox.Complete();
        }
    }

    /// <summary>Drops the channel at once; <see cref="RunAsync"/> then fails what is waiting and returns.</summary>
    public void Abort() => _channel.Abort();

    public void Dispose()
    {
        _closed.Dispose();
        _channel.Dispose();
    }

    private async Task PingAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(PingInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (_time.GetElapsedTime(Interlocked.Read(ref _lastFrameAt)) > 3 * PingInterval)
                {
                    LogSilent(ComputeId);
                    _channel.Abort();
                    return;
                }

                await _channel.SendAsync(ConnectFrame.Ping, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The channel is ending; RunAsync reports why.
        }
    }

    [LoggerMessage(LogLevel.Information, "Relay {ComputeId} closed its connect channel")]
    private partial void LogClosedByRelay(string computeId);

    [LoggerMessage(LogLevel.Warning, "Relay {ComputeId}: connect channel lost ({Reason})")]
    private partial void LogLost(string computeId, string reason);

    [LoggerMessage(LogLevel.Warning, "Relay {ComputeId} broke the connect protocol: {Reason}; closing its channel")]
    private partial void LogProtocolBroken(string computeId, string reason);

    [LoggerMessage(LogLevel.Warning, "Relay {ComputeId} sent a malformed frame, ignored: {Problem}")]
    private partial void LogMalformed(string computeId, string problem);

    [LoggerMessage(LogLevel.Warning, "Relay {ComputeId} answered unknown request {RequestId}, ignored")]
    private partial void LogUnknownRequest(string computeId, string requestId);

    [LoggerMessage(LogLevel.Warning, "Relay {ComputeId} sent a frame of unknown type '{Type}', ignored")]
    private partial void LogUnknownType(string computeId, string type);

    [LoggerMessage(LogLevel.Warning, "Relay {ComputeId} said nothing for three ping intervals; dropping its connect channel")]
    private partial void LogSilent(string computeId);
}

/// <summary>What the relay's API answered to one request.</summary>
public sealed record ConnectResponse(int Status, JsonNode? Body);
