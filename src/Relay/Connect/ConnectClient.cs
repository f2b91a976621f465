using System.Collections.Concurrent;
using System.Net.WebSockets;
using Cerver.Gateway.Embedded.Connect;
using Cerver.Gateway.Embedded.Connect.Wire;
using Cerver.Relay.Daemon;
using Cerver.Relay.Link;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cerver.Relay.Connect;

/// <summary>
/// The relay's end of the connect channel (SPEC 7, observed): once registered it dials
/// <c>/v2/connect/ws</c> (the relay sits behind NAT), answers pings, serves the gateway's
/// <c>request</c> frames with its own local API, concurrently and bounded, and redials with
/// capped, jittered backoff whenever the channel drops. The local API never depends on it.
/// </summary>
public sealed partial class ConnectClient(
    GatewayConnection registration,
    LocalApiForwarder forwarder,
    ChannelLiveEvents liveEvents,
    LinkState state,
    ReconnectBackoff backoff,
    TimeProvider time,
    ILogger<ConnectClient> logger) : BackgroundService
{
    /// <summary>Requests served at once; more wait their turn, and past <see cref="MaxQueued"/> are answered 503.</summary>
    public const int MaxConcurrent = 64;

    public const int MaxQueued = 1024;

    private static readonly TimeSpan Healthy = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan LoggedOutRecheck = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _serving = new(MaxConcurrent, MaxConcurrent);
    private int _queued;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        GatewayRegistration target;
        try
        {
            target = await registration.WhenRegisteredAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            // A re-registration may have given another compute id, and a logout takes the key away.
            target = registration.Registration ?? target;
            if (registration.Registration is null && registration.Current.State == GatewayConnectionState.NotLoggedIn)
            {
                // A login writes a new key, which the registration picks up without a restart.
                state.Lost("not logged in: cerver-relay login");
                try
                {
                    await Task.Delay(LoggedOutRecheck, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            state.Connecting(target.GatewayUrl);
            var started = time.GetTimestamp();
            try
            {
                using var socket = await DialAsync(target, stoppingToken);
                using var channel = new ConnectChannel(socket);
                var reason = await ServeAsync(channel, target, stoppingToken);
                state.Lost(reason);
                LogLost(target.GatewayUrl, reason);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // Whatever went wrong with this channel, the relay keeps serving locally and dials again.
                state.Lost(exception.Message);
                LogDialFailed(target.GatewayUrl, exception.Message);
            }

            failures = time.GetElapsedTime(started) >= Healthy ? 0 : failures + 1;
            try
            {
                await Task.Delay(backoff.Delay(failures), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override void Dispose()
    {
        _serving.Dispose();
        base.Dispose();
    }

    /// <summary><c>ws(s)://gateway/v2/connect/ws?compute_id=…&amp;token=…</c>, keeping any path prefix of the gateway URL.</summary>
    public static Uri ChannelUri(Uri gateway, string computeId, string apiKey)
    {
        var builder = new UriBuilder(gateway) { Scheme = gateway.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" };
        builder.Path = builder.Path.TrimEnd('/') + "/v2/connect/ws";
        builder.Query = $"compute_id={Uri.EscapeDataString(computeId)}&token={Uri.EscapeDataString(apiKey)}";
        return builder.Uri;
    }

    private static async Task<ClientWebSocket> DialAsync(GatewayRegistration target, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + target.ApiKey);
            socket.Options.SetRequestHeader("User-Agent", "cerver-relay/" + RelayVersion.Current);
            socket.Options.Proxy = HttpClient.DefaultProxy;
            socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
            socket.Options.KeepAliveTimeout = TimeSpan.FromSeconds(45);
            socket.Options.CollectHttpResponseDetails = true;
            using var dialing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            dialing.CancelAfter(TimeSpan.FromSeconds(15));
            await socket.ConnectAsync(ChannelUri(target.GatewayUrl, target.ComputeId, target.ApiKey), dialing.Token);
            return socket;
        }
        catch (WebSocketException exception) when (socket.HttpStatusCode is { } status && (int)status is 401 or 403 or 404)
        {
            socket.Dispose();
            // Never the URI: it carries the key.
            throw new WebSocketException(WebSocketError.NotAWebSocket, $"the gateway refused the connect channel with HTTP {(int)status}", exception);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Serves requests until the channel ends; returns why it ended. Every request still running
    /// when the channel drops is cancelled. When the relay stops, requests in flight keep their
    /// channel until they end — the shutdown drain gives their runs the same grace as local ones
    /// and kills them after it — new ones are answered 503, and the channel closes once they are done.
    /// </summary>
    private async Task<string> ServeAsync(ConnectChannel channel, GatewayRegistration target, CancellationToken stoppingToken)
    {
        var running = new ConcurrentDictionary<Task, byte>();
        var cancellable = new ConcurrentDictionary<string, CancellationTokenSource>(StringComparer.Ordinal);
        using var channelDown = new CancellationTokenSource();
        async Task CloseWhenRequestsEndAsync()
        {
            await Task.WhenAll(running.Keys);
            await channel.CloseAsync(WebSocketCloseStatus.EndpointUnavailable, "relay stopping");
            channelDown.CancelAfter(TimeSpan.FromSeconds(2));
        }

        await using var stopping = stoppingToken.Register(() => _ = CloseWhenRequestsEndAsync());
        var pumping = liveEvents.PumpAsync(channel, channelDown.Token);
        try
        {
            while (await channel.ReceiveAsync(channelDown.Token) is { } received)
            {
                switch (received.Frame)
                {
                    case null:
                        LogMalformed(received.Problem!);
                        break;
                    case { Type: ConnectFrameTypes.Connected }:
                        state.Connected();
                        LogConnected(target.GatewayUrl, target.ComputeId);
                        break;
                    case { Type: ConnectFrameTypes.Ping }:
                        await channel.SendAsync(ConnectFrame.Pong, channelDown.Token);
                        break;
                    case { Type: ConnectFrameTypes.Request } request when stoppingToken.IsCancellationRequested:
                        await AnswerAsync(channel, ConnectFrame.Failure(request.RequestId, 503, "relay_stopping", "The relay is stopping; send the request again once it is back."), channelDown.Token);
                        break;
                    case { Type: ConnectFrameTypes.Request } request:
                        var serving = ServeOneAsync(channel, request, cancellable, channelDown.Token);
                        running.TryAdd(serving, 0);
                        _ = serving.ContinueWith(done => running.TryRemove(done, out _), TaskScheduler.Default);
                        break;
                    case { Type: ConnectFrameTypes.Cancel, RequestId: { } cancelled }:
                        if (cancellable.TryGetValue(cancelled, out var stop))
                        {
                            await stop.CancelAsync();
                        }

                        break;
                    case { Type: ConnectFrameTypes.Pong }:
                        break;
                    case var frame:
                        LogUnknownType(frame.Type ?? "(none)");
                        break;
                }
            }

            return stoppingToken.IsCancellationRequested ? "the relay is stopping" : "the gateway closed the channel";
        }
        catch (ConnectProtocolException exception)
        {
            await channel.CloseAsync(exception.Status, exception.Message);
            return "the gateway broke the connect protocol: " + exception.Message;
        }
        catch (Exception exception) when (exception is WebSocketException or IOException or OperationCanceledException)
        {
            return stoppingToken.IsCancellationRequested ? "the relay is stopping" : exception.Message;
        }
        finally
        {
            await channelDown.CancelAsync();
            await Task.WhenAll(running.Keys);
            await pumping;
        }
    }

    /// <summary>
    /// One request, answered whatever happens: a response frame, or nothing when the channel is
    /// already gone or the gateway cancelled the request (it stopped waiting for it).
    /// </summary>
    private async Task ServeOneAsync(ConnectChannel channel, ConnectFrame request, ConcurrentDictionary<string, CancellationTokenSource> cancellable, CancellationToken channelDown)
    {
        if (Interlocked.Increment(ref _queued) > MaxQueued)
        {
            Interlocked.Decrement(ref _queued);
            await AnswerAsync(channel, ConnectFrame.Failure(request.RequestId, 503, "relay_busy", $"The relay is serving {MaxQueued} requests already; try again."), channelDown);
            return;
        }

        using var cancelled = CancellationTokenSource.CreateLinkedTokenSource(channelDown);
        var registered = request.RequestId is { } id && cancellable.TryAdd(id, cancelled);
        try
        {
            await _serving.WaitAsync(cancelled.Token);
            var answered = false;
            try
            {
                await forwarder.ServeAsync(request, async frame =>
                {
                    await channel.SendAsync(frame, cancelled.Token);
                    answered = true;
                }, cancelled.Token);
            }
            catch (Exception exception) when (exception is not (OperationCanceledException or WebSocketException or ObjectDisposedException))
            {
                // Mid-stream, the end tells the gateway no more is coming; it sees no exit or completion in it.
                LogServeFailed(request.Method ?? "?", request.Path ?? "?", exception);
                await AnswerAsync(channel, answered
                    ? new ConnectFrame { Type = ConnectFrameTypes.ResponseEnd, RequestId = request.RequestId }
                    : ConnectFrame.Failure(request.RequestId, 500, "internal_error", "The relay hit an internal error serving this request; details are in its log."), cancelled.Token);
            }
            finally
            {
                _serving.Release();
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The channel went down, or the gateway cancelled the request: nobody waits for an answer.
        }
        finally
        {
            if (registered)
            {
                cancellable.TryRemove(request.RequestId!, out _);
            }

            Interlocked.Decrement(ref _queued);
        }
    }

    private static async Task AnswerAsync(ConnectChannel channel, ConnectFrame response, CancellationToken channelDown)
    {
        try
        {
            await channel.SendAsync(response, channelDown);
        }
        catch (Exception exception) when (exception is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The channel went down while answering; the gateway has already failed the request.
        }
    }

    [LoggerMessage(LogLevel.Information, "Connect channel to {Gateway} open as {ComputeId}")]
    private partial void LogConnected(Uri gateway, string computeId);

    [LoggerMessage(LogLevel.Warning, "Connect channel to {Gateway} lost: {Reason}")]
    private partial void LogLost(Uri gateway, string reason);

    [LoggerMessage(LogLevel.Warning, "Could not open the connect channel to {Gateway}: {Reason}")]
    private partial void LogDialFailed(Uri gateway, string reason);

    [LoggerMessage(LogLevel.Warning, "The gateway sent a malformed frame, ignored: {Problem}")]
    private partial void LogMalformed(string problem);

    [LoggerMessage(LogLevel.Warning, "The gateway sent a frame of unknown type '{Type}', ignored")]
    private partial void LogUnknownType(string type);

    [LoggerMessage(LogLevel.Error, "Serving the gateway's {Method} {Path} failed")]
    private partial void LogServeFailed(string method, string path, Exception exception);
}
