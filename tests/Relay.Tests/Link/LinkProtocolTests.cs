using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Fleet;
using Cerver.Gateway.Embedded.Link;
using Cerver.Relay.Link;
using Cerver.Relay.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Cerver.Relay.Tests.Link;

/// <summary>
/// Peers that break the link protocol. The gateway side is the real daemon, driven by a raw
/// WebSocket; the relay side is the real daemon, dialing a test endpoint that sends it junk.
/// Neither side may crash or leave a call hanging; every refusal says what was wrong.
/// </summary>
public sealed class LinkProtocolTests(SharedDaemon shared) : IClassFixture<SharedDaemon>
{
    private readonly RelayDaemon _gateway = shared.Daemon;

    [Fact]
    public async Task The_link_endpoint_needs_a_websocket_and_the_token()
    {
        var plain = await _gateway.Client.GetAsync("/v2/computes/cmp_x/link", TestContext.Current.CancellationToken);
        Assert.Equal("websocket_required", (await RelayDaemon.ReadJsonAsync(plain, 400))["error"]!["code"]!.GetValue<string>());

        using var anonymous = new ClientWebSocket();
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => anonymous.ConnectAsync(LinkUri("cmp_x"), TestContext.Current.CancellationToken));
        Assert.Contains("401", refused.Message, StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<WebSocketException>(() => DialAsync("cmp_never_registered"));
        Assert.Contains("404", unknown.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json at all", "not a JSON object")]
    [InlineData("""{"type":"ping"}""", "first frame must be hello")]
    [InlineData("""{"type":"hello","compute_id":"cmp_someone_else"}""", "names compute cmp_someone_else")]
    public async Task A_link_that_does_not_open_with_its_hello_is_closed_with_the_reason(string first, string reason)
    {
        var id = await LinkFixtures.RegisterAsync(_gateway, "protocol-hello-" + Guid.NewGuid().ToString("N"));
        using var socket = await DialAsync(id);
        await SendTextAsync(socket, first);

        var close = await ReceiveAsync(socket);
        Assert.Equal(WebSocketMessageType.Close, close.Type);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
        Assert.Contains(reason, socket.CloseStatusDescription, StringComparison.Ordinal);
        Assert.Null(_gateway.App.Services.GetRequiredService<ComputeRegistry>().Find(id));
    }

    [Fact]
    public async Task Junk_after_the_hello_is_logged_and_ignored_and_the_link_stays_up()
    {
        var id = await LinkFixtures.RegisterAsync(_gateway, "protocol-junk");
        using var socket = await DialAsync(id);
        await SendTextAsync(socket, $$"""{"type":"hello","compute_id":"{{id}}","relay_version":"test","capabilities":{"runtimes":{"shell":"sh"} } }""");
        var registry = _gateway.App.Services.GetRequiredService<ComputeRegistry>();
        while (registry.Find(id) is null)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        await SendTextAsync(socket, "{{{ garbage");
        await socket.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, TestContext.Current.CancellationToken);
        await SendTextAsync(socket, """{"type":"result","id":"c999","body":{}}""");
        await SendTextAsync(socket, """{"type":"teleport"}""");
        await SendTextAsync(socket, """{"type":"ping"}""");

        var pong = await ReceiveAsync(socket);
        Assert.Equal("pong", JsonNode.Parse(pong.Text)!["type"]!.GetValue<string>());
        Assert.NotNull(registry.Find(id));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", TestContext.Current.CancellationToken);
        while (registry.Find(id) is not null)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task A_frame_over_the_cap_closes_the_link_and_fails_its_open_calls()
    {
        var id = await LinkFixtures.RegisterAsync(_gateway, "protocol-big");
        using var socket = await DialAsync(id);
        await SendTextAsync(socket, $$"""{"type":"hello","compute_id":"{{id}}"}""");
        var registry = _gateway.App.Services.GetRequiredService<ComputeRegistry>();
        while (registry.Find(id) is null)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        var call = registry.Find(id)!.Compute.GetStateAsync("sbx_whatever", TestContext.Current.CancellationToken);
        var sent = JsonNode.Parse((await ReceiveAsync(socket)).Text)!;
        Assert.Equal(("call", "getState", "sbx_whatever"), (sent["type"]!.GetValue<string>(), sent["op"]!.GetValue<string>(), sent["sandbox_id"]!.GetValue<string>()));

        var huge = new byte[LinkChannel.MaxFrameBytes + 1024];
        huge.AsSpan().Fill((byte)'a');
        await socket.SendAsync(huge, WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<Cerver.Relay.Compute.Contract.ComputeException>(() => call);
        Assert.Equal(LinkErrors.RelayDisconnected, error.Code);
        Assert.Equal(WebSocketMessageType.Close, (await ReceiveAsync(socket)).Type);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, socket.CloseStatus);
    }

    [Fact]
    public async Task The_relay_answers_junk_from_its_gateway_with_error_frames_and_keeps_serving()
    {
        var frames = new List<string>
        {
            "not json",
            """{"type":"call","op":"runSandbox"}""",
            """{"type":"call","id":"k1","op":"launchMissiles"}""",
            """{"type":"call","id":"k2","op":"runSandbox"}""",
            """{"type":"call","id":"k3","op":"runSandbox","sandbox_id":"sbx_x","args":{"code":42}}""",
            """{"type":"cancel","id":"never-started"}""",
            """{"type":"warp"}""",
            """{"type":"call","id":"k4","op":"listSandboxes"}""",
        };
        var answers = await TalkToRelayAsync(frames, expectedAnswers: 7);

        Assert.Equal("hello", answers[0]["type"]!.GetValue<string>());
        var errors = answers.Skip(1).Where(a => a["type"]!.GetValue<string>() == "error").ToList();
        Assert.Contains(errors, e => e["error"]!["code"]!.GetValue<string>() == "malformed_frame");
        Assert.Contains(errors, e => e["id"] is null && e["error"]!["message"]!.GetValue<string>().Contains("id", StringComparison.Ordinal));
        Assert.Contains(errors, e => e["id"]?.GetValue<string>() == "k1" && e["error"]!["code"]!.GetValue<string>() == "unknown_op");
        Assert.Contains(errors, e => e["id"]?.GetValue<string>() == "k2" && e["error"]!["message"]!.GetValue<string>().StartsWith("sandbox_id", StringComparison.Ordinal));
        Assert.Contains(errors, e => e["id"]?.GetValue<string>() == "k3" && e["error"]!["message"]!.GetValue<string>().StartsWith("args.code", StringComparison.Ordinal));
        Assert.Contains(errors, e => e["error"]!["code"]!.GetValue<string>() == "unknown_frame_type");
        var listed = Assert.Single(answers, a => a["id"]?.GetValue<string>() == "k4");
        Assert.Equal("result", listed["type"]!.GetValue<string>());
        Assert.NotNull(listed["body"]!["sandboxes"]);
    }

    // Stands up a one-route "gateway" that says the given frames to a real relay daemon and
    // collects what the relay answers (its hello first).
    private static async Task<List<JsonNode>> TalkToRelayAsync(IReadOnlyList<string> frames, int expectedAnswers)
    {
        var answers = new List<JsonNode>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var gateway = builder.Build();
        gateway.UseWebSockets();
        gateway.Map("/v2/computes/{id}/link", async (HttpContext context) =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            answers.Add(JsonNode.Parse((await ReceiveAsync(socket)).Text)!);
            foreach (var frame in frames)
            {
                await SendTextAsync(socket, frame);
            }

            while (answers.Count < expectedAnswers + 1)
            {
                answers.Add(JsonNode.Parse((await ReceiveAsync(socket)).Text)!);
            }

            done.SetResult();
        });
        await gateway.StartAsync(TestContext.Current.CancellationToken);
        var url = new Uri(gateway.Urls.First());

        await using var relay = await RelayDaemon.StartAsync("auto", services: services =>
            services.AddSingleton<ILinkTargetSource>(new FixedLinkTarget(new LinkTarget(url, "ck_key", "cmp_junk", []))));
        await done.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        return answers;
    }

    private Uri LinkUri(string computeId) => new($"ws://127.0.0.1:{_gateway.BaseUrl.Port}/v2/computes/{computeId}/link");

    private async Task<ClientWebSocket> DialAsync(string computeId)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + _gateway.Token);
        await socket.ConnectAsync(LinkUri(computeId), TestContext.Current.CancellationToken);
        return socket;
    }

    private static Task SendTextAsync(WebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);

    private static async Task<(WebSocketMessageType Type, string Text)> ReceiveAsync(WebSocket socket)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(chunk, TestContext.Current.CancellationToken);
            buffer.Write(chunk, 0, result.Count);
            if (result.EndOfMessage || result.MessageType == WebSocketMessageType.Close)
            {
                return (result.MessageType, Encoding.UTF8.GetString(buffer.ToArray()));
            }
        }
    }

    private sealed class FixedTarget(LinkTarget target) : ILinkTargetSource
    {
        public Task<LinkTarget> WhenReadyAsync(CancellationToken cancellationToken) => Task.FromResult(target);
    }
}
