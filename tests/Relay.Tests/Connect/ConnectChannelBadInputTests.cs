using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Cerver.Relay.Link;
using Cerver.Relay.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Cerver.Relay.Tests.Connect;

/// <summary>
/// The relay's side of the connect channel against a gateway that sends junk: a real daemon,
/// registered with a stand-in of the hosted gateway that plays its side frame by frame.
/// </summary>
public sealed class ConnectChannelBadInputTests : IAsyncLifetime
{
    private const string Key = "ck_hosted_stand_in_key_0123456789abcdef";
    private HostedGatewayStandIn _gateway = null!;
    private RelayDaemon _relay = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _gateway = await HostedGatewayStandIn.StartAsync();
        _relay = await RelayDaemon.StartAsync("none", apiKey: Key, environment: new Dictionary<string, string?> { ["CERVER_GATEWAY_URL"] = _gateway.BaseUrl });
    }

    public async ValueTask DisposeAsync()
    {
        await _relay.DisposeAsync();
        await _gateway.DisposeAsync();
    }

    [Fact]
    public async Task Junk_frames_are_ignored_or_answered_and_the_channel_keeps_serving()
    {
        var channel = await _gateway.NextChannelAsync(Cancel);
        Assert.Equal("Bearer " + Key, channel.Authorization);
        Assert.Equal(Key, channel.Token);
        Assert.Equal(_relay.App.Services.GetRequiredService<GatewayConnection>().Registration!.ComputeId, channel.ComputeId);
        await channel.SendTextAsync("""{"type":"connected"}""", Cancel);

        await channel.SendTextAsync("this is not JSON", Cancel);
        await channel.SendBinaryAsync([1, 2, 3], Cancel);
        await channel.SendTextAsync("""{"type":"mystery"}""", Cancel);
        await channel.SendTextAsync("""{"type":"response","request_id":"never-asked","status":200}""", Cancel);
        await channel.SendTextAsync("""{"type":"request","method":"GET","path":"/sandbox"}""", Cancel);
        var withoutId = (await channel.ReceiveAsync(Cancel))!;
        Assert.Equal(400, withoutId["status"]!.GetValue<int>());
        Assert.Equal("invalid_request", withoutId["body"]!["error"]!["code"]!.GetValue<string>());

        await channel.SendTextAsync("""{"type":"request","request_id":"brew","method":"BREW","path":"/sandbox"}""", Cancel);
        Assert.Equal(405, (await channel.ReceiveAsync(Cancel))!["status"]!.GetValue<int>());
        await channel.SendTextAsync("""{"type":"request","request_id":"bad-body","method":"POST","path":"/sandbox","body":[1,2]}""", Cancel);
        var badBody = (await channel.ReceiveAsync(Cancel))!;
        Assert.Equal(("bad-body", 400), (badBody["request_id"]!.GetValue<string>(), badBody["status"]!.GetValue<int>()));

        await channel.SendTextAsync("""{"type":"ping"}""", Cancel);
        Assert.Equal("pong", (await channel.ReceiveAsync(Cancel))!["type"]!.GetValue<string>());
        await channel.SendTextAsync("""{"type":"request","request_id":"ok","method":"GET","path":"/sandbox"}""", Cancel);
        var served = (await channel.ReceiveAsync(Cancel))!;
        Assert.Equal(("ok", 200), (served["request_id"]!.GetValue<string>(), served["status"]!.GetValue<int>()));
        Assert.NotNull(served["body"]!["sandboxes"]);
        channel.End();
    }

    [Fact]
    public async Task A_frame_over_the_cap_closes_the_channel_and_the_relay_dials_again()
    {
        var channel = await _gateway.NextChannelAsync(Cancel);
        await channel.SendTextAsync("""{"type":"connected"}""", Cancel);

        var oversized = """{"type":"request","request_id":"huge","method":"POST","path":"/sandbox","body":{"pad":" """ + new string('x', 33 * 1024 * 1024) + "\"}}";
        await channel.SendTextAsync(oversized, Cancel);

        Assert.Null(await channel.ReceiveAsync(Cancel));
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, channel.CloseStatus);
        var again = await _gateway.NextChannelAsync(Cancel);
        await again.SendTextAsync("""{"type":"connected"}""", Cancel);
        await again.SendTextAsync("""{"type":"request","request_id":"after","method":"GET","path":"/sandbox"}""", Cancel);
        Assert.Equal(200, (await again.ReceiveAsync(Cancel))!["status"]!.GetValue<int>());
        again.End();
    }
}
