using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Provider;
using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Link;
using Cerver.Relay.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Cerver.Relay.Tests.Connect;

/// <summary>
/// The connect channel's extensions, played frame by frame from the gateway's side against a
/// real daemon: streamed answers (<c>"stream": true</c>), <c>cancel</c>, and live <c>stream_event</c>s.
/// </summary>
public sealed class ConnectStreamingTests : IAsyncLifetime
{
    private const string Key = "ck_hosted_stand_in_key_streaming_0123456";
    private HostedGatewayStandIn _gateway = null!;
    private RelayDaemon _relay = null!;
    private StandInChannel _channel = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _gateway = await HostedGatewayStandIn.StartAsync();
        _relay = await RelayDaemon.StartAsync("auto", apiKey: Key, environment: new Dictionary<string, string?> { ["CERVER_GATEWAY_URL"] = _gateway.BaseUrl });
        _channel = await _gateway.NextChannelAsync(Cancel);
        await _channel.SendTextAsync("""{"type":"connected"}""", Cancel);
    }

    public async ValueTask DisposeAsync()
    {
        _channel.End();
        await _relay.DisposeAsync();
        await _gateway.DisposeAsync();
    }

    [Fact]
    public async Task A_streamed_run_arrives_event_by_event_and_a_cancel_kills_its_process_tree()
    {
        var sandbox = await CreateSandboxAsync();
        var marker = "stream-cancel-" + Guid.NewGuid().ToString("N");
        await SendRequestAsync("run", "POST", $"/sandbox/{sandbox}/run/stream", new JsonObject { ["code"] = $"echo started; sh -c 'sleep 300; : {marker}'", ["timeout"] = 600 }, stream: true);

        var start = await NextAsync("run");
        Assert.Equal(("response_start", 200), (start["type"]!.GetValue<string>(), start["status"]!.GetValue<int>()));
        Assert.Equal("text/event-stream", start["headers"]!["content-type"]!.GetValue<string>());
        var chunk = await NextAsync("run");
        Assert.Equal(("response_chunk", "stdout", "started\n"), (chunk["type"]!.GetValue<string>(), chunk["event"]!.GetValue<string>(), chunk["data"]!.GetValue<string>()));
        Assert.True(ProcessTable.CountWithArgument(marker) > 0, "the run is alive on the relay");

        await _channel.SendTextAsync("""{"type":"cancel","request_id":"run"}""", Cancel);

        Assert.Equal(0, await ProcessTable.WaitUntilGoneAsync(marker, TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task A_stream_the_relay_refuses_is_one_plain_response_with_its_error()
    {
        await SendRequestAsync("refused", "POST", "/sandbox/sbx_doesnotexist0000/run/stream", new JsonObject { ["code"] = "true" }, stream: true);

        var answer = await NextAsync("refused");
        Assert.Equal(("response", 404), (answer["type"]!.GetValue<string>(), answer["status"]!.GetValue<int>()));
        Assert.Equal("sandbox_not_found", answer["body"]!["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_plain_request_for_a_stream_gets_the_whole_stream_as_text()
    {
        var sandbox = await CreateSandboxAsync();
        await SendRequestAsync("whole", "POST", $"/sandbox/{sandbox}/run/stream", new JsonObject { ["code"] = "echo one" }, stream: false);

        var answer = await NextAsync("whole");
        Assert.Equal(("response", 200), (answer["type"]!.GetValue<string>(), answer["status"]!.GetValue<int>()));
        Assert.Contains("event: exit", answer["body"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_provider_turns_live_events_reach_the_gateway_as_stream_events_in_order()
    {
        // Live only: published once the relay has taken the channel (it says connected once it read the greeting).
        var state = _relay.App.Services.GetRequiredService<LinkState>();
        while (state.Current.Status != LinkStatus.Connected)
        {
            await Task.Delay(10, Cancel);
        }

        var live = _relay.App.Services.GetRequiredService<ILiveSessionEvents>();
        live.Publish("ses_live", new AgentEntryEvent(AgentEntry.Text("first")));
        live.Publish("ses_live", new AgentEntryEvent(AgentEntry.Text("second")));

        var first = await NextOfTypeAsync("stream_event");
        var second = await NextOfTypeAsync("stream_event");
        Assert.Equal("ses_live", first["session_id"]!.GetValue<string>());
        Assert.Contains("first", first["event"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("second", second["event"]!.ToJsonString(), StringComparison.Ordinal);
    }

    private async Task<string> CreateSandboxAsync()
    {
        await SendRequestAsync("create", "POST", "/sandbox", new JsonObject(), stream: false);
        var created = await NextAsync("create");
        Assert.Equal(201, created["status"]!.GetValue<int>());
        return created["body"]!["sandbox_id"]!.GetValue<string>();
    }

    private Task SendRequestAsync(string id, string method, string path, JsonNode body, bool stream) =>
        _channel.SendTextAsync(new JsonObject
        {
            ["type"] = "request", ["request_id"] = id, ["method"] = method, ["path"] = path, ["body"] = body, ["stream"] = stream,
        }.ToJsonString(), Cancel);

    private async Task<JsonObject> NextAsync(string requestId)
    {
        while (true)
        {
            var frame = await _channel.ReceiveAsync(Cancel);
            Assert.NotNull(frame);
            if (frame["request_id"]?.GetValue<string>() == requestId)
            {
                return frame;
            }
        }
    }

    private async Task<JsonObject> NextOfTypeAsync(string type)
    {
        while (true)
        {
            var frame = await _channel.ReceiveAsync(Cancel);
            Assert.NotNull(frame);
            if (frame["type"]?.GetValue<string>() == type)
            {
                return frame;
            }
        }
    }
}
