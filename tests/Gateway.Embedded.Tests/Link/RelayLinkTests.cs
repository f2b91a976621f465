using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Link;
using Cerver.Gateway.Embedded.Link.Wire;
using Cerver.Relay.Compute.Contract;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Cerver.Gateway.Embedded.Tests.Link;

/// <summary>
/// The gateway's end of a link over a real loopback WebSocket, with the test playing a relay
/// that misbehaves: one that never answers, one that floods a call nobody reads. Time is a
/// fake clock, so a deadline of minutes is reached without waiting for it.
/// </summary>
public sealed class RelayLinkTests : IAsyncLifetime
{
    private const string ComputeId = "cmp_peer";
    private readonly FakeTimeProvider _time = new();
    private readonly List<LinkFrame> _passedOver = [];
    private TcpClient _tcpRelay = null!;
    private TcpClient _tcpGateway = null!;
    private RelayLink _link = null!;
    private LinkChannel _relay = null!;
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
        _link = new RelayLink(new LinkChannel(WebSocket.CreateFromStream(_tcpGateway.GetStream(), new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = quiet })),
            ComputeId, _time, NullLogger.Instance);
        _relay = new LinkChannel(WebSocket.CreateFromStream(_tcpRelay.GetStream(), new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = quiet }));
        _running = _link.RunAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        _link.Abort();
        await _running;
        _link.Dispose();
        _relay.Dispose();
        _tcpRelay.Dispose();
        _tcpGateway.Dispose();
    }

    [Fact]
    public void Every_error_kind_crosses_the_link_with_its_code_and_message()
    {
        foreach (var kind in Enum.GetValues<ComputeErrorKind>())
        {
            var sent = new ComputeException(kind, "some_code", $"What went wrong ({kind}).");

            var received = LinkErrors.ToException(LinkErrors.From(sent), ComputeId);

            Assert.Equal((kind, sent.Code, sent.Message), (received.Kind, received.Code, received.Message));
        }
    }

    [Fact]
    public async Task A_call_the_relay_never_answers_fails_at_its_deadline_and_is_cancelled_there()
    {
        var call = new LinkedCompute(_link).GetStateAsync("sbx_never_answered", Cancel);
        var sent = await NextFrameAsync(frame => frame.Type == LinkFrameTypes.Call);

        // The relay stays alive (it answers pings) but never answers the call.
        for (var i = 0; !call.IsCompleted; i++)
        {
            Assert.True(i < 100, $"no answer after {_time.GetUtcNow() - _time.Start} of fake time");
            await _relay.SendAsync(LinkFrame.Ping, Cancel);
            await NextFrameAsync(frame => frame.Type == LinkFrameTypes.Pong);
            _time.Advance(RelayLink.PingInterval);
        }

        var error = await Assert.ThrowsAsync<ComputeException>(() => call);
        Assert.Equal((ComputeErrorKind.Unavailable, LinkErrors.RelayTimedOut), (error.Kind, error.Code));
        Assert.True(_time.GetUtcNow() - _time.Start >= LinkCallDeadline.Quick.Value, "failed before its deadline");
        Assert.Equal(sent.Id, (await NextFrameAsync(frame => frame.Type == LinkFrameTypes.Cancel)).Id);
        Assert.Equal(0, _link.OpenCalls);
    }

    [Fact]
    public async Task A_call_whose_reader_falls_behind_fails_alone_while_the_other_calls_go_on()
    {
        await using var flooded = _link.ExchangeAsync(LinkOps.RunSandboxStream, "sbx_flood", new JsonObject { ["code"] = "yes" }, LinkCallDeadline.Quick, Cancel)
            .GetAsyncEnumerator(Cancel);
        var reading = flooded.MoveNextAsync().AsTask();
        var floodedId = (await NextFrameAsync(frame => frame.Type == LinkFrameTypes.Call)).Id;
        var other = new LinkedCompute(_link).GetStateAsync("sbx_other", Cancel);
        var otherId = (await NextFrameAsync(frame => frame.Type == LinkFrameTypes.Call)).Id;

        var megabyte = new string('y', 1024 * 1024);
        for (var i = 0; i * megabyte.Length <= CallInbox.MaxQueuedChars + megabyte.Length; i++)
        {
            await _relay.SendAsync(new LinkFrame { Type = LinkFrameTypes.Chunk, Id = floodedId, Stream = "stdout", Data = megabyte }, Cancel);
        }

        Assert.Equal(floodedId, (await NextFrameAsync(frame => frame.Type == LinkFrameTypes.Cancel)).Id);
        await _relay.SendAsync(new LinkFrame { Type = LinkFrameTypes.Result, Id = otherId, Body = new JsonObject
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
    }

    // Frames arrive in their own order (the gateway's pings whenever the fake clock moves): the
    // ones a wait passed over are kept for the next wait.
    private async Task<LinkFrame> NextFrameAsync(Func<LinkFrame, bool> wanted)
    {
        if (_passedOver.Find(frame => wanted(frame)) is { } kept)
        {
            _passedOver.Remove(kept);
            return kept;
        }

        while (true)
        {
            var received = await _relay.ReceiveAsync(Cancel);
            Assert.False(received.IsClosed, "the gateway closed the link");
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
