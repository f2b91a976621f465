using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Link.Wire;
using Cerver.Relay.Compute.Contract;
using Microsoft.Extensions.Logging;

namespace Cerver.Gateway.Embedded.Link;

/// <summary>
/// The gateway's end of one relay's link: sends calls, matches the relay's answers to them
/// by id, pings, and fails every open call the moment the link goes away — a caller is
/// never left waiting on a relay that is gone, nor past its call's deadline on one that
/// never answers.
/// </summary>
public sealed partial class RelayLink : IDisposable
{
    private readonly LinkChannel _channel;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, CallInbox> _calls = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closed = new();
    private long _nextCall;
    private long _lastFrameAt;

    public RelayLink(LinkChannel channel, string computeId, TimeProvider time, ILogger logger)
    {
        _channel = channel;
        ComputeId = computeId;
        _time = time;
        _logger = logger;
        ConnectedAt = time.GetUtcNow();
        _lastFrameAt = time.GetTimestamp();
    }

    /// <summary>How often the gateway pings; three intervals without any frame end the link.</summary>
    public static TimeSpan PingInterval { get; } = TimeSpan.FromSeconds(15);

    public string ComputeId { get; }

    public DateTimeOffset ConnectedAt { get; }

    /// <summary>Cancelled when the link has ended, for whatever reason.</summary>
    public CancellationToken Closed => _closed.Token;

    public int OpenCalls => _calls.Count;

    /// <summary>A call answered by one result; an error frame becomes the compute error it names.</summary>
    public async Task<JsonNode?> CallAsync(string op, string? sandboxId, JsonObject? args, LinkCallDeadline deadline, CancellationToken cancellationToken)
    {
        await foreach (var frame in ExchangeAsync(op, sandboxId, args, deadline, cancellationToken))
        {
            if (frame.Type == LinkFrameTypes.Result)
            {
                return frame.Body;
            }
        }

        throw LinkErrors.Disconnected(ComputeId);
    }

    /// <summary>
    /// A call's frames as they arrive: chunks, then the final result. An error frame is
    /// thrown as its compute error; cancelling, or the deadline passing, sends the relay a
    /// cancel for the call.
    /// </summary>
    public async IAsyncEnumerable<LinkFrame> ExchangeAsync(string op, string? sandboxId, JsonObject? args, LinkCallDeadline deadline,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var id = "c" + Interlocked.Increment(ref _nextCall).ToString(CultureInfo.InvariantCulture);
        var inbox = new CallInbox();
        _calls[id] = inbox;
        using var expiry = new CancellationTokenSource(deadline.Value, _time);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, expiry.Token);
        var finished = false;
        try
        {
            if (_closed.IsCancellationRequested)
            {
                throw LinkErrors.Disconnected(ComputeId);
            }

            await SendAsync(new LinkFrame { Type = LinkFrameTypes.Call, Id = id, Op = op, SandboxId = sandboxId, Args = args }, waiting.Token);
            while (await NextAsync(inbox, op, deadline, expiry.Token, waiting.Token) is { } frame)
            {
                switch (frame.Type)
                {
                    case LinkFrameTypes.Error:
                        finished = true;
                        throw LinkErrors.ToException(frame.Error, ComputeId);
                    case LinkFrameTypes.Result:
                        finished = true;
                        yield return frame;
                        yield break;
                    default:
                        yield return frame;
                        break;
                }
            }
        }
        finally
        {
            _calls.TryRemove(id, out _);
            if (!finished && !_closed.IsCancellationRequested)
            {
                await CancelOnRelayAsync(id);
            }
        }
    }

    /// <summary>Reads the relay's frames until the link ends, then fails every open call.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(stopping, _closed.Token);
        var pinging = PingAsync(both.Token);
        try
        {
            while (true)
            {
                var received = await _channel.ReceiveAsync(both.Token);
                if (received.IsClosed)
                {
                    LogClosedByRelay(ComputeId);
                    break;
                }

                Interlocked.Exchange(ref _lastFrameAt, _time.GetTimestamp());
                if (received.Frame is { } frame)
                {
                    await HandleAsync(frame, both.Token);
                }
                else
                {
                    LogMalformed(ComputeId, received.Problem!);
                }
            }
        }
        catch (LinkProtocolException exception)
        {
            LogProtocolBroken(ComputeId, exception.Message);
            await _channel.CloseAsync(exception.Status, exception.Message);
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            LogLinkLost(ComputeId, exception.Message);
        }
        finally
        {
            await _closed.CancelAsync();
            foreach (var (_, inbox) in _calls)
            {
                inbox.Fail(LinkErrors.Disconnected(ComputeId));
            }

            await pinging;
            await _channel.CloseAsync(WebSocketCloseStatus.NormalClosure, "link ended");
        }
    }

    /// <summary>Drops the link at once; <see cref="RunAsync"/> then fails the open calls and returns.</summary>
    public void Abort() => _channel.Abort();

    public void Dispose()
    {
        _closed.Dispose();
        _channel.Dispose();
    }

    private async Task HandleAsync(LinkFrame frame, CancellationToken cancellationToken)
    {
        switch (frame.Type)
        {
            case LinkFrameTypes.Ping:
                await SendAsync(LinkFrame.Pong, cancellationToken);
                return;
            case LinkFrameTypes.Pong:
            case LinkFrameTypes.Hello:
                return;
            case LinkFrameTypes.Accepted or LinkFrameTypes.Chunk or LinkFrameTypes.Result or LinkFrameTypes.Error:
                if (frame.Id is not null && _calls.TryGetValue(frame.Id, out var inbox))
                {
                    if (!inbox.TryPost(frame) && inbox.Fail(LinkErrors.Overrun(ComputeId, CallInbox.MaxQueuedChars * sizeof(char))))
                    {
                        LogOverrun(ComputeId, frame.Id);
                        await CancelOnRelayAsync(frame.Id);
                    }
                }
                else
                {
                    LogUnknownCall(ComputeId, frame.Type, frame.Id ?? "(none)");
                }

                return;
            default:
                LogUnknownType(ComputeId, frame.Type ?? "(none)");
                return;
        }
    }

    // The deadline is told apart from the caller's own cancel, which stays an OperationCanceledException.
    private async ValueTask<LinkFrame?> NextAsync(CallInbox inbox, string op, LinkCallDeadline deadline, CancellationToken expired, CancellationToken waiting)
    {
        try
        {
            return await inbox.TakeAsync(waiting);
        }
        catch (OperationCanceledException) when (expired.IsCancellationRequested)
        {
            throw LinkErrors.TimedOut(ComputeId, op, deadline.Value);
        }
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

                await SendAsync(LinkFrame.Ping, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The link is ending; RunAsync reports why.
        }
    }

    private async Task CancelOnRelayAsync(string id)
    {
        try
        {
            await SendAsync(new LinkFrame { Type = LinkFrameTypes.Cancel, Id = id }, _closed.Token);
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or ObjectDisposedException
            or ComputeException { Code: LinkErrors.RelayDisconnected })
        {
            // The link is gone, and with it every process of the call: the relay kills its calls when its link drops.
        }
    }

    private async Task SendAsync(LinkFrame frame, CancellationToken cancellationToken)
    {
        try
        {
            await _channel.SendAsync(frame, cancellationToken);
        }
        catch (Exception exception) when (exception is WebSocketException or ObjectDisposedException)
        {
            throw LinkErrors.Disconnected(ComputeId);
        }
    }

    [LoggerMessage(LogLevel.Information, "Relay {ComputeId} closed its link")]
    private partial void LogClosedByRelay(string computeId);

    [LoggerMessage(LogLevel.Warning, "Relay {ComputeId}: link lost ({Reason})")]
    private partial void LogLinkLost(string computeId, string reason);

    [LoggerMessage(LogLevel.Warning, "Relay {ComputeId} broke the link protocol: {Reason}; closing its link")]
    private partial void LogProtocolBroken(string computeId, string reason);

    [LoggerMessage(LogLevel.Warning, "Relay {ComputeId} sent a malformed frame, ignored: {Problem}")]
    private partial void LogMalformed(string computeId, string problem);

    [LoggerMessage(LogLevel.Warning, "Relay {ComputeId} sent a {Type} frame for unknown call {CallId}, ignored")]
    private partial void LogUnknownCall(string computeId, string type, string callId);

    [LoggerMessage(LogLevel.Warning, "Relay {ComputeId} sent a frame of unknown type '{Type}', ignored")]
    private partial void LogUnknownType(string computeId, string type);

    [LoggerMessage(LogLevel.Warning, "Relay {ComputeId} sent call {CallId} more than its reader took; failed and cancelled that call")]
    private partial void LogOverrun(string computeId, string callId);

    [LoggerMessage(LogLevel.Warning, "Relay {ComputeId} said nothing for three ping intervals; dropping its link")]
    private partial void LogSilent(string computeId);
}
