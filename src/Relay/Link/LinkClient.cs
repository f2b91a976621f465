using System.Collections.Concurrent;
using System.Net.WebSockets;
using Cerver.Gateway.Embedded.Link;
using Cerver.Gateway.Embedded.Link.Wire;
using Cerver.Relay.Daemon;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cerver.Relay.Link;

/// <summary>
/// The relay's end of the dispatch link (SPEC section 7): dials out to the gateway (the relay
/// sits behind NAT), says hello, runs the gateway's calls concurrently against this machine,
/// and redials with capped, jittered backoff whenever the link drops. The local API does not
/// depend on it: while it is down, everything local keeps working.
/// </summary>
public sealed partial class LinkClient(
    ILinkTargetSource targets,
    LinkCallDispatcher dispatcher,
    LinkState state,
    ReconnectBackoff backoff,
    TimeProvider time,
    ILogger<LinkClient> logger) : BackgroundService
{
    /// <summary>A link that stayed up this long was healthy: the next drop starts the backoff over.</summary>
    private static readonly TimeSpan Healthy = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LinkTarget target;
        try
        {
            target = await targets.WhenReadyAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            state.Connecting(target.Gateway);
            var started = time.GetTimestamp();
            try
            {
                using var socket = await DialAsync(target, stoppingToken);
                using var channel = new LinkChannel(socket);
                await channel.SendAsync(target.Hello(), stoppingToken);
                state.Connected();
                LogConnected(target.Gateway, target.ComputeId);
                var reason = await ServeAsync(channel, stoppingToken);
                state.Lost(reason);
                LogLost(target.Gateway, reason);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // Whatever went wrong with this link, the relay keeps serving locally and dials again.
                var reason = Describe(exception);
                state.Lost(reason);
                LogDialFailed(target.Gateway, reason);
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

    private static async Task<ClientWebSocket> DialAsync(LinkTarget target, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + target.ApiKey);
            socket.Options.SetRequestHeader("User-Agent", "cerver-relay/" + RelayVersion.Current);
            // HTTPS_PROXY, HTTP_PROXY and NO_PROXY, as for every other call to the gateway.
            socket.Options.Proxy = HttpClient.DefaultProxy;
            socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
            socket.Options.KeepAliveTimeout = TimeSpan.FromSeconds(45);
            socket.Options.CollectHttpResponseDetails = true;
            using var dialing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            dialing.CancelAfter(TimeSpan.FromSeconds(15));
            await socket.ConnectAsync(target.LinkUri, dialing.Token);
            return socket;
        }
        catch (WebSocketException exception) when (socket.HttpStatusCode is { } status && (int)status is 401 or 403 or 404)
        {
            socket.Dispose();
            throw new WebSocketException(WebSocketError.NotAWebSocket,
                $"the gateway refused the link with HTTP {(int)status}: {(status == System.Net.HttpStatusCode.NotFound ? "it does not know this compute" : "the key is not accepted (run cerver-relay login)")}", exception);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Serves calls until the link ends; returns why it ended. Every call still running when
    /// the link drops is cancelled. When the relay stops, calls in flight keep their link
    /// until they end — the shutdown drain gives them the same grace as local runs and kills
    /// them after it — and the link closes once they are done.
    /// </summary>
    private async Task<string> ServeAsync(LinkChannel channel, CancellationToken stoppingToken)
    {
        var calls = new ConcurrentDictionary<string, (CancellationTokenSource Cancel, Task Running)>(StringComparer.Ordinal);
        using var linkDown = new CancellationTokenSource();
        Task Send(LinkFrame frame, CancellationToken cancellationToken) => channel.SendAsync(frame, cancellationToken);
        async Task CloseWhenCallsEndAsync()
        {
            await Task.WhenAll(calls.Values.Select(call => call.Running));
            await channel.CloseAsync(WebSocketCloseStatus.EndpointUnavailable, "relay stopping");
            linkDown.CancelAfter(TimeSpan.FromSeconds(2));
        }

        await using var stopping = stoppingToken.Register(() => _ = CloseWhenCallsEndAsync());
        try
        {
            while (true)
            {
                var received = await channel.ReceiveAsync(linkDown.Token);
                if (received.IsClosed)
                {
                    return stoppingToken.IsCancellationRequested ? "the relay is stopping" : "the gateway closed the link";
                }

                if (received.Frame is not { } frame)
                {
                    LogMalformed(received.Problem!);
                    await Send(LinkFrame.Failure(null, new LinkError("malformed_frame", received.Problem!)), linkDown.Token);
                    continue;
                }

                switch (frame.Type)
                {
                    case LinkFrameTypes.Call:
                        StartCall(frame, calls, Send, linkDown.Token);
                        break;
                    case LinkFrameTypes.Cancel when frame.Id is not null && calls.TryGetValue(frame.Id, out var call):
                        CancelQuietly(call.Cancel);
                        break;
                    case LinkFrameTypes.Cancel:
                        break;
                    case LinkFrameTypes.Ping:
                        await Send(LinkFrame.Pong, linkDown.Token);
                        break;
                    case LinkFrameTypes.Pong:
                        break;
                    default:
                        LogUnknownType(frame.Type ?? "(none)");
                        await Send(LinkFrame.Failure(frame.Id, new LinkError("unknown_frame_type", $"type: '{frame.Type}' is not a frame this relay understands.")), linkDown.Token);
                        break;
                }
            }
        }
        catch (LinkProtocolException exception)
        {
            await channel.CloseAsync(exception.Status, exception.Message);
            return "the gateway broke the link protocol: " + exception.Message;
        }
        catch (Exception exception) when (exception is WebSocketException or IOException or OperationCanceledException)
        {
            return stoppingToken.IsCancellationRequested ? "the relay is stopping" : Describe(exception);
        }
        finally
        {
            await linkDown.CancelAsync();
            await Task.WhenAll(calls.Values.Select(call => call.Running));
        }
    }

    private void StartCall(LinkFrame frame, ConcurrentDictionary<string, (CancellationTokenSource Cancel, Task Running)> calls, LinkCallDispatcher.SendFrame send, CancellationToken linkDown)
    {
        if (string.IsNullOrEmpty(frame.Id))
        {
            LogCallWithoutId(frame.Op ?? "(none)");
            _ = send(LinkFrame.Failure(null, new LinkError("invalid_request", "id: a call needs an id.", "invalid_input")), linkDown);
            return;
        }

        var cancel = CancellationTokenSource.CreateLinkedTokenSource(linkDown);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!calls.TryAdd(frame.Id, (cancel, gate.Task)))
        {
            cancel.Dispose();
            _ = send(LinkFrame.Failure(frame.Id, new LinkError("duplicate_call_id", $"id: call {frame.Id} is already running.", "conflict")), linkDown);
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await dispatcher.RunAsync(frame, send, cancel.Token);
            }
            catch (Exception exception) when (exception is WebSocketException or ObjectDisposedException or OperationCanceledException)
            {
                // The link went down while answering; the gateway has already failed the call.
            }
            finally
            {
                calls.TryRemove(frame.Id, out _);
                cancel.Dispose();
                gate.SetResult();
            }
        }, CancellationToken.None);
    }

    // The call may finish (and dispose its source) between the lookup and the cancel.
    private static void CancelQuietly(CancellationTokenSource cancel)
    {
        try
        {
            cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already over: nothing left to cancel.
        }
    }

    private static string Describe(Exception exception) =>
        exception is OperationCanceledException ? "the gateway did not answer in time" : exception.Message;

    [LoggerMessage(LogLevel.Information, "Linked to {Gateway} as {ComputeId}")]
    private partial void LogConnected(Uri gateway, string computeId);

    [LoggerMessage(LogLevel.Warning, "Link to {Gateway} lost: {Reason}")]
    private partial void LogLost(Uri gateway, string reason);

    [LoggerMessage(LogLevel.Warning, "Could not link to {Gateway}: {Reason}")]
    private partial void LogDialFailed(Uri gateway, string reason);

    [LoggerMessage(LogLevel.Warning, "The gateway sent a malformed frame, refused: {Problem}")]
    private partial void LogMalformed(string problem);

    [LoggerMessage(LogLevel.Warning, "The gateway sent a frame of unknown type '{Type}', refused")]
    private partial void LogUnknownType(string type);

    [LoggerMessage(LogLevel.Warning, "The gateway sent a {Op} call without an id, refused")]
    private partial void LogCallWithoutId(string op);
}
