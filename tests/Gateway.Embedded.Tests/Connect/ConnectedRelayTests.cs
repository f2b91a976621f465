using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Connect;
using Cerver.Gateway.Embedded.Connect.Wire;
using Cerver.Gateway.Embedded.Http;
using Cerver.Gateway.Embedded.Link;
using Cerver.Relay.Compute.Contract;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Cerver.Gateway.Embedded.Tests.Connect;

/// <summary>
/// The gateway's end of a connect channel over a real loopback WebSocket, with the test playing
/// a relay that misbehaves: one that never answers, one that floods a request nobody reads.
/// Time is a fake clock, so a deadline of minutes is reached without waiting for it.
/// </summary>
public sealed class ConnectedRelayTests : IAsyncLifetime
{
    private const string ComputeId = "cmp_peer";
    private readonly FakeTimeProvider _time = new();
    private readonly List<ConnectFrame> _passedOver = [];
    private TcpClient _tcpRelay = null!;
    private TcpClient _tcpGateway = null!;
    private ConnectedRelay _gateway = null!;
    private ConnectChannel _relay = null!;
    private WebSocket _relaySocket = null!;
    private Task _running = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        _tcpRelay = new TcpClient();
        var connecting = _tcpRelay.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, Cancel);
        _tcpGateway = await listener.AcceptTcpClientAsync(Cancel);
        await connecting;
        var quiet = TimeSpan.Zero;
        _gateway = new ConnectedRelay(new ConnectChannel(WebSocket.CreateFromStream(_tcpGateway.GetStream(), new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = quiet })),
            ComputeId, _time, NullLogger.Instance);
        _relaySocket = WebSocket.CreateFromStream(_tcpRelay.GetStream(), new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = quiet });
        _relay = new ConnectChannel(_relaySocket);
        _running = _gateway.RunAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        _gateway.Abort();
        await _running;
        _gateway.Dispose();
        _relay.Dispose();
        _tcpRelay.Dispose();
        _tcpGateway.Dispose();
    }

    [Fact]
    public void Every_error_kind_crosses_the_channel_with_its_code_and_message()
    {
        foreach (var kind in Enum.GetValues<ComputeErrorKind>())
        {
            var sent = new ComputeException(kind, "some_code", $"What went wrong ({kind}).");
            var body = new JsonObject { ["error"] = new JsonObject { ["code"] = sent.Code, ["message"] = sent.Message } };

            var received = LinkErrors.FromAnswer(ApiErrors.StatusFor(kind), body, ComputeId);

            Assert.Equal((kind, sent.Code, sent.Message), (received.Kind, received.Code, received.Message));
        }
    }

    [Fact]
    public async Task A_request_the_relay_never_answers_fails_at_its_deadline_and_is_cancelled_there()
    {
        var call = new LinkedCompute(_gateway).GetStateAsync("sbx_never_answered", Cancel);
        var sent = await NextFrameAsync(frame => frame.Type == ConnectFrameTypes.Request);
        Assert.Equal(("GET", "/sandbox/sbx_never_answered/state"), (sent.Method, sent.Path));

        // The relay stays alive (it answers pings) but never answers the request.
        for (var i = 0; !call.IsCompleted; i++)
        {
            Assert.True(i < 100, $"no answer after {_time.GetUtcNow() - _time.Start} of fake time");
            await _relay.SendAsync(ConnectFrame.Ping, Cancel);
            await NextFrameAsync(frame => frame.Type == ConnectFrameTypes.Pong);
            _time.Advance(ConnectedRelay.PingInterval);
        }

        var error = await Assert.ThrowsAsync<ComputeException>(() => call);
        Assert.Equal((ComputeErrorKind.Unavailable, LinkErrors.RelayTimedOut), (error.Kind, error.Code));
        Assert.True(_time.GetUtcNow() - _time.Start >= LinkCallDeadline.Quick.Value, "failed before its deadline");
        Assert.Equal(sent.RequestId, (await NextFrameAsync(frame => frame.Type == ConnectFrameTypes.Cancel)).RequestId);
        Assert.Equal(0, _gateway.PendingRequests);
    }

    [Fact]
    public async Task A_streamed_run_arrives_event_by_event_and_a_refusal_before_its_start_is_thrown_at_once()
    {
        var compute = new LinkedCompute(_gateway);
        await using var events = compute.RunSandboxStreamAsync("sbx_stream", new RunRequest { Code = "echo hi" }, Cancel).GetAsyncEnumerator(Cancel);
        var first = events.MoveNextAsync().AsTask();
        var request = await NextFrameAsync(frame => frame.Type == ConnectFrameTypes.Request);
        Assert.Equal((true, "/sandbox/sbx_stream/run/stream"), (request.Stream, request.Path));
        await _relay.SendAsync(new ConnectFrame { Type = ConnectFrameTypes.ResponseStart, RequestId = request.RequestId, Status = 200 }, Cancel);
        await _relay.SendAsync(new ConnectFrame { Type = ConnectFrameTypes.ResponseChunk, RequestId = request.RequestId, Event = "stdout", Data = "hi\n" }, Cancel);
        await _relay.SendAsync(new ConnectFrame { Type = ConnectFrameTypes.ResponseChunk, RequestId = request.RequestId, Event = "exit", Data = """{"exit_code":0,"duration_ms":5,"timed_out":false}""" }, Cancel);
        await _relay.SendAsync(new ConnectFrame { Type = ConnectFrameTypes.ResponseEnd, RequestId = request.RequestId }, Cancel);

        Assert.True(await first);
        Assert.IsType<RunAcceptedEvent>(events.Current);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal("hi\n", Assert.IsType<RunOutputEvent>(events.Current).Text);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal(0, Assert.IsType<RunExitEvent>(events.Current).ExitCode);
        Assert.False(await events.MoveNextAsync());

        var refused = compute.RunSandboxStreamAsync("sbx_gone", new RunRequest { Code = "true" }, Cancel).GetAsyncEnumerator(Cancel);
        var refusing = refused.MoveNextAsync().AsTask();
        var second = await NextFrameAsync(frame => frame.Type == ConnectFrameTypes.Request);
        await _relay.SendAsync(ConnectFrame.Failure(second.RequestId, 404, "sandbox_not_found", "No sandbox sbx_gone."), Cancel);
        var error = await Assert.ThrowsAsync<ComputeException>(() => refusing);
        Assert.Equal((ComputeErrorKind.NotFound, "sandbox_not_found"), (error.Kind, error.Code));
        await refused.DisposeAsync();
        Assert.Equal(0, _gateway.PendingRequests);
    }

    [Fact]
    public async Task A_request_whose_reader_falls_behind_fails_alone_while_the_other_requests_go_on()
    {
        var compute = new LinkedCompute(_gateway);
        await using var flooded = compute.RunSandboxStreamAsync("sbx_flood", new RunRequest { Code = "yes" }, Cancel).GetAsyncEnumerator(Cancel);
        var reading = flooded.MoveNextAsync().AsTask();
        var floodedId = (await NextFrameAsync(frame => frame.Type == ConnectFrameTypes.Request)).RequestId;
        var other = compute.GetStateAsync("sbx_other", Cancel);
        var otherId = (await NextFrameAsync(frame => frame.Type == ConnectFrameTypes.Request && frame.Path!.Contains("sbx_other", StringComparison.Ordinal))).RequestId;

        await _relay.SendAsync(new ConnectFrame { Type = ConnectFrameTypes.ResponseStart, RequestId = floodedId, Status = 200 }, Cancel);
        var megabyte = new string('y', 1024 * 1024);
        for (var i = 0; i * megabyte.Length <= ResponseInbox.MaxQueuedChars + megabyte.Length; i++)
        {
            await _relay.SendAsync(new ConnectFrame { Type = ConnectFrameTypes.ResponseChunk, RequestId = floodedId, Event = "stdout", Data = megabyte }, Cancel);
        }

        await _relay.SendAsync(new ConnectFrame { Type = ConnectFrameTypes.Response, RequestId = otherId, Status = 200, Body = new JsonObject
        {
            ["sandbox_id"] = "sbx_other", ["status"] = "ready", ["state"] = new JsonObject(), ["updated_at"] = null,
        } }, Cancel);
        Assert.Equal("sbx_other", (await other).SandboxId);

        var error = await Assert.ThrowsAsync<ComputeException>(async () =>
        {
            for (var more = await reading; more; more = await flooded.MoveNextAsync())
            {
            }
        });
        Assert.Equal((ComputeErrorKind.Busy, LinkErrors.CallOverrun), (error.Kind, error.Code));
        Assert.Equal(floodedId, (await NextFrameAsync(frame => frame.Type == ConnectFrameTypes.Cancel)).RequestId);
    }

    [Fact]
    public async Task Answers_out_of_order_or_for_requests_nobody_waits_for_are_ignored_and_the_channel_goes_on()
    {
        var compute = new LinkedCompute(_gateway);
        var first = compute.GetStateAsync("sbx_first", Cancel);
        var request = await NextFrameAsync(frame => frame.Type == ConnectFrameTypes.Request);

        await _relay.SendAsync(new ConnectFrame { Type = ConnectFrameTypes.ResponseChunk, RequestId = "r999", Event = "stdout", Data = "stray" }, Cancel);
        await _relay.SendAsync(new ConnectFrame { Type = ConnectFrameTypes.ResponseEnd, RequestId = "r998" }, Cancel);
        await _relay.SendAsync(new ConnectFrame { Type = ConnectFrameTypes.Response, Status = 200 }, Cancel);
        await _relay.SendAsync(new ConnectFrame { Type = "response_middle", RequestId = request.RequestId }, Cancel);
        Assert.False(first.IsCompleted);

        await _relay.SendAsync(new ConnectFrame { Type = ConnectFrameTypes.Response, RequestId = request.RequestId, Status = 200, Body = new JsonObject
        {
            ["sandbox_id"] = "sbx_first", ["status"] = "ready", ["state"] = new JsonObject(), ["updated_at"] = null,
        } }, Cancel);
        Assert.Equal("sbx_first", (await first).SandboxId);

        // The same answer again, after its request is done: nobody waits for it any more.
        await _relay.SendAsync(new ConnectFrame { Type = ConnectFrameTypes.Response, RequestId = request.RequestId, Status = 500 }, Cancel);
        await _relay.SendAsync(ConnectFrame.Ping, Cancel);
        Assert.Equal(ConnectFrameTypes.Pong, (await NextFrameAsync(frame => frame.Type == ConnectFrameTypes.Pong)).Type);
        Assert.False(_gateway.Closed.IsCancellationRequested);
        Assert.Equal(0, _gateway.PendingRequests);
    }

    [Fact]
    public async Task A_frame_over_the_cap_closes_the_channel_as_too_big_and_fails_the_requests_waiting()
    {
        var call = new LinkedCompute(_gateway).ListSandboxesAsync(Cancel);
        await NextFrameAsync(frame => frame.Type == ConnectFrameTypes.Request);

        await _relay.SendAsync(new ConnectFrame { Type = ConnectFrameTypes.StreamEvent, SessionId = "ses_big", Data = new string('x', ConnectChannel.MaxFrameBytes) }, Cancel);

        var error = await Assert.ThrowsAsync<ComputeException>(() => call);
        Assert.Equal(LinkErrors.RelayDisconnected, error.Code);
        await _running;
        Assert.Null(await _relay.ReceiveAsync(Cancel));
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, _relaySocket.CloseStatus);
    }

    [Fact]
    public async Task Requests_still_waiting_when_the_channel_drops_fail_as_disconnected()
    {
        var call = new LinkedCompute(_gateway).ListSandboxesAsync(Cancel);
        await NextFrameAsync(frame => frame.Type == ConnectFrameTypes.Request);

        _relay.Abort();

        var error = await Assert.ThrowsAsync<ComputeException>(() => call);
        Assert.Equal((ComputeErrorKind.Unavailable, LinkErrors.RelayDisconnected), (error.Kind, error.Code));
        Assert.True(_gateway.Closed.IsCancellationRequested);
    }

    // Frames arrive in their own order (the gateway's pings whenever the fake clock moves): the
    // ones a wait passed over are kept for the next wait.
    private async Task<ConnectFrame> NextFrameAsync(Func<ConnectFrame, bool> wanted)
    {
        if (_passedOver.Find(frame => wanted(frame)) is { } kept)
        {
            _passedOver.Remove(kept);
            return kept;
        }

        while (true)
        {
            var received = await _relay.ReceiveAsync(Cancel);
            Assert.NotNull(received);
            if (received.Frame is not { } frame)
            {
                continue;
            }

            if (wanted(frame))
            {
                return frame;
            }

            _passedOver.Add(frame);
        }
    }
}
