using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Cerver.Relay.TestKit.ModelStandIns;

/// <summary>
/// A loopback stand-in for the OpenAI Responses API, enough of it for the real Codex CLI to run
/// turns against: <c>POST /v1/responses</c> (streamed as server-sent events, or whole when
/// <c>stream</c> is false) and <c>GET /v1/models</c>. It keeps no conversation state: every answer
/// follows from the request itself, as <see cref="ResponsesScript"/> describes, so tests script
/// it through their prompts. Every request is recorded, headers and body, whatever its path.
/// Point a provider's <c>base_url</c> at <see cref="BaseUrl"/>.
/// </summary>
public sealed class ResponsesStandIn : IAsyncDisposable
{
    private const string BodyKey = "stand-in.body";

    private readonly ConcurrentQueue<ResponsesRecordedRequest> _requests = new();
    private readonly CancellationTokenSource _stopping = new();
    private LoopbackServer? _server;
    private int _answered;
    private int _disposed;

    private ResponsesStandIn()
    {
    }

    /// <summary><c>http://127.0.0.1:PORT/v1</c>.</summary>
    public string BaseUrl => $"{_server!.BaseUrl}/v1";

    /// <summary>The requests so far, in the order they arrived.</summary>
    public IReadOnlyList<ResponsesRecordedRequest> Requests => [.. _requests];

    /// <summary>The <c>POST /v1/responses</c> requests so far.</summary>
    public IReadOnlyList<ResponsesRecordedRequest> ResponseRequests =>
        [.. _requests.Where(request => request.Method == "POST" && request.Path == "/v1/responses")];

    public static async Task<ResponsesStandIn> StartAsync(CancellationToken cancellationToken = default)
    {
        var standIn = new ResponsesStandIn();
        standIn._server = await LoopbackServer.StartAsync(app =>
        {
            app.Use(async (context, next) =>
            {
                using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
                var body = await reader.ReadToEndAsync(context.RequestAborted);
                context.Items[BodyKey] = body;
                var headers = context.Request.Headers.ToDictionary(header => header.Key.ToLowerInvariant(), header => header.Value.ToString(), StringComparer.Ordinal);
                standIn._requests.Enqueue(new ResponsesRecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", headers, body));
                await next(context);
            });
            app.MapPost("/v1/responses", context => standIn.AnswerAsync(context));
            app.MapGet("/v1/models", context => WriteJsonAsync(context, StatusCodes.Status200OK, new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray(new JsonObject { ["id"] = "stand-in", ["object"] = "model", ["created"] = 0, ["owned_by"] = "cerver-tests" }),
            }));
        }, cancellationToken);
        return standIn;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // Hanging requests wait on this token: release them, or stopping would wait for them.
        await _stopping.CancelAsync();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _stopping.Dispose();
    }

    private async Task AnswerAsync(HttpContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        var cancellationToken = linked.Token;
        JsonObject? request;
        try
        {
            request = JsonNode.Parse((string)context.Items[BodyKey]!) as JsonObject;
        }
        catch (JsonException)
        {
            request = null;
        }

        if (request is null)
        {
            await WriteJsonAsync(context, StatusCodes.Status400BadRequest, ResponsesReply.Error(StatusCodes.Status400BadRequest));
            return;
        }

        var script = ResponsesScript.Read([.. (request["input"] as JsonArray ?? []).OfType<JsonObject>()]);
        try
        {
            if (script.SleepMilliseconds > 0)
            {
                await Task.Delay(script.SleepMilliseconds, cancellationToken);
            }

            if (script.Hang)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            context.Abort();
            return;
        }

        if (script.ErrorStatus is { } status)
        {
            await WriteJsonAsync(context, status, ResponsesReply.Error(status));
            return;
        }

        var reply = new ResponsesReply(script, request, Interlocked.Increment(ref _answered));
        if (request["stream"] is JsonValue stream && stream.TryGetValue<bool>(out var streamed) && streamed)
        {
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            foreach (var (name, data) in reply.Events())
            {
                await context.Response.WriteAsync($"event: {name}\ndata: {data.ToJsonString()}\n\n", cancellationToken);
                await context.Response.Body.FlushAsync(cancellationToken);
            }

            return;
        }

        await WriteJsonAsync(context, StatusCodes.Status200OK, reply.Response());
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
