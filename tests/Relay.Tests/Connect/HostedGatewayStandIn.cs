using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Cerver.Relay.TestKit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Cerver.Relay.Tests.Connect;

/// <summary>
/// A stand-in for the hosted gateway, which this machine cannot reach: it registers a relay as
/// the hosted one answers, and hands each connect channel the relay opens to the test, which
/// then plays the gateway's side frame by frame — junk included.
/// </summary>
internal sealed class HostedGatewayStandIn : IAsyncDisposable
{
    private readonly Channel<StandInChannel> _channels = Channel.CreateUnbounded<StandInChannel>();
    private LoopbackServer _server = null!;

    public string BaseUrl => _server.BaseUrl;

    public static async Task<HostedGatewayStandIn> StartAsync()
    {
        var standIn = new HostedGatewayStandIn();
        standIn._server = await LoopbackServer.StartAsync(app =>
        {
            app.UseWebSockets();
            app.MapGet("/v2/auth/whoami", () => Results.Json(new JsonObject { ["account_id"] = "acc_hosted", ["key_id"] = "key_hosted", ["kind"] = "relay" }));
            app.MapPost("/v2/computes/register", async (HttpRequest request) =>
            {
                var body = (await JsonNode.ParseAsync(request.Body))!;
                return Results.Json(new JsonObject
                {
                    ["compute_id"] = body["compute_id"]?.GetValue<string>() ?? "cmp_hosted",
                    ["owner_id"] = "acc_hosted",
                    ["label"] = "hosted",
                    ["provider"] = "cerver_local_provider",
                    ["status"] = "ready",
                    ["scope"] = "private",
                    ["kind"] = "local",
                    ["capabilities"] = new JsonObject(),
                });
            });
            app.MapPost("/v2/computes/{id}/heartbeat", (string id) => Results.Json(new JsonObject
            {
                ["compute_id"] = id, ["status"] = "ready", ["last_heartbeat_at"] = DateTimeOffset.UtcNow, ["heartbeat_interval_seconds"] = 60,
            }));
            app.MapGet("/v2/connect/ws", async (HttpContext context) =>
            {
                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                var channel = new StandInChannel(socket, context.Request.Headers.Authorization.ToString(), context.Request.Query["compute_id"].ToString(), context.Request.Query["token"].ToString());
                await standIn._channels.Writer.WriteAsync(channel);
                await channel.Ended;
            });
        });
        return standIn;
    }

    /// <summary>The next channel the relay opens.</summary>
    public ValueTask<StandInChannel> NextChannelAsync(CancellationToken cancellationToken) => _channels.Reader.ReadAsync(cancellationToken);

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

/// <summary>One connect channel as the gateway holds it: raw text and binary frames out, JSON frames in.</summary>
internal sealed class StandInChannel(WebSocket socket, string authorization, string computeId, string token)
{
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Authorization { get; } = authorization;

    public string ComputeId { get; } = computeId;

    public string Token { get; } = token;

    public Task Ended => _ended.Task;

    public WebSocketCloseStatus? CloseStatus => socket.CloseStatus;

    public Task SendTextAsync(string text, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    public Task SendBinaryAsync(byte[] bytes, CancellationToken cancellationToken) =>
        socket.SendAsync(bytes, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);

    /// <summary>The next frame from the relay; null once it closed the channel.</summary>
    public async Task<JsonObject?> ReceiveAsync(CancellationToken cancellationToken)
    {
        using var message = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                _ended.TrySetResult();
                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return JsonNode.Parse(message.ToArray())!.AsObject();
            }
        }
    }

    public void End() => _ended.TrySetResult();
}
