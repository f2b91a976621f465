using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Cerver.Gateway.Embedded.Link.Wire;
using Microsoft.Extensions.Logging;

namespace Cerver.Gateway.Embedded.Link;

/// <summary>
/// The gateway's end of one relay's link: sends calls, matches the relay's answers to them
/// by id, pings, and fails every open call the moment the link goes away — a caller is
/// never left waiting on a relay that is gone.
/// </summary>
public sealed partial class RelayLink : IDisposable
{
    private readonly LinkChannel _channel;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Channel<LinkFrame>> _calls = new(StringComparer.Ordinal);
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
    public async Task<JsonNode?> CallAsync(string op, string? sandboxId, JsonObject? args, CancellationToken cancellationToken)
    {
        await foreach (var frame in ExchangeAsync(op, sandboxId, args, cancellationToken))
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
    /// thrown as its compute error; cancelling sends the relay a cancel for the call.
    /// </summary>
    public async IAsyncEnumerable<LinkFrame> ExchangeAsync(string op, string? sandboxId, JsonObject? args, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var id = "c" + Interlocked.Increment(ref _nextCall).ToString(CultureInfo.InvariantCulture);
        var answers = Channel.CreateUnbounded<LinkFrame>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        _calls[id] = answers;
        var finished = false;
        try
        {
            if (_closed.IsCancellationRequested)
            {
                throw LinkErrors.Disconnected(ComputeId);
            }

            await SendAsync(new LinkFrame { Type = LinkFrameTypes.Call, Id = id, Op = op, SandboxId = sandboxId, Args = args }, cancellationToken);
            await foreach (var frame in answers.Reader.ReadAllAsync(cancellationToken))
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
            foreach (var (_, answers) in _calls)
            {
                answers.Writer.TryComplete(LinkErrors.Disconnected(ComputeId));
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
            case LinkFrameTypes.Chunk or LinkFrameTypes.Result or LinkFrameTypes.Error:
                if (frame.Id is not null && _calls.TryGetValue(frame.Id, out var answers))
                {
                    answers.Writer.TryWrite(frame);
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
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or ObjectDisposedException)
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

    [LoggerMessage(LogLevel.Warning, "Relay {ComputeId} said nothing for three ping intervals; dropping its link")]
    private partial void LogSilent(string computeId);
}
