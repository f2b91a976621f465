using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Cerver.Relay.TestKit.ModelStandIns;

/// <summary>
/// The Anthropic Messages API on loopback, for the real Claude Code: <c>POST /v1/messages</c>
/// (server-sent events when the request streams, one JSON message otherwise), token counting,
/// model lookups and the connectivity probe, each answered at once and the same way every time.
/// Replies follow <see cref="AnthropicScript"/>; every request is kept for the test to read.
/// </summary>
public sealed class AnthropicStandIn : IAsyncDisposable
{
    /// <summary>The usage of every answer: a turn of N calls reports N times these.</summary>
    public const int InputTokens = 21;

    public const int CacheCreationInputTokens = 5;

    public const int CacheReadInputTokens = 8;

    public const int OutputTokens = 13;

    /// <summary>The model named by model lookups; requests are answered in whatever model they ask for.</summary>
    public const string Model = "claude-opus-5-5";

    private const string RecordedKey = "anthropic.recorded";

    private readonly ConcurrentQueue<AnthropicRecordedRequest> _requests = new();
    private readonly CancellationTokenSource _stopping = new();
    private LoopbackServer? _server;
    private int _disposed;

    private AnthropicStandIn()
    {
    }

    /// <summary><c>http://127.0.0.1:PORT</c>, for <c>ANTHROPIC_BASE_URL</c>.</summary>
    public string BaseUrl => _server!.BaseUrl;

    /// <summary>Every request so far, in the order they arrived.</summary>
    public IReadOnlyList<AnthropicRecordedRequest> Requests => [.. _requests];

    /// <summary>The Messages calls among <see cref="Requests"/>.</summary>
    public IReadOnlyList<AnthropicRecordedRequest> MessageRequests => [.. _requests.Where(request => request.IsMessages)];

    public static async Task<AnthropicStandIn> StartAsync(CancellationToken cancellationToken = default)
    {
        var standIn = new AnthropicStandIn();
        standIn._server = await LoopbackServer.StartAsync(app =>
        {
            app.Use(standIn.RecordAsync);
            app.MapMethods("/api/hello", ["GET", "HEAD"], context => Task.CompletedTask);
            app.MapPost("/v1/messages", standIn.MessagesAsync);
            app.MapPost("/v1/messages/count_tokens", CountTokensAsync);
            app.MapGet("/v1/models", context => AnthropicReplyWriter.WriteJsonAsync(context, StatusCodes.Status200OK, new JsonObject
            {
                ["data"] = new JsonArray(ModelInfo(Model)),
                ["has_more"] = false,
                ["first_id"] = Model,
                ["last_id"] = Model,
            }));
            app.MapGet("/v1/models/{id}", context =>
                AnthropicReplyWriter.WriteJsonAsync(context, StatusCodes.Status200OK, ModelInfo((string?)context.Request.RouteValues["id"] ?? Model)));
            app.MapFallback(context =>
                AnthropicReplyWriter.WriteErrorAsync(context, StatusCodes.Status404NotFound, $"the stand-in does not serve {context.Request.Method} {context.Request.Path}"));
        }, cancellationToken);
        return standIn;
    }

    /// <summary>Stops the server; a test may stop it early (to end hanging answers) and again when it ends.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // Hanging answers end first, or stopping would wait for them.
        await _stopping.CancelAsync();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _stopping.Dispose();
    }

    private async Task RecordAsync(HttpContext context, RequestDelegate next)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var recorded = new AnthropicRecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "", headers, body);
        _requests.Enqueue(recorded);
        context.Items[RecordedKey] = recorded;
        await next(context);
    }

    private async Task MessagesAsync(HttpContext context)
    {
        var recorded = (AnthropicRecordedRequest)context.Items[RecordedKey]!;
        if (recorded.Json() is not { } request)
        {
            await AnthropicReplyWriter.WriteErrorAsync(context, StatusCodes.Status400BadRequest, "the body is not a JSON object");
            return;
        }

        var reply = AnthropicScript.Decide(request);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, context.RequestAborted);
        try
        {
            if (reply.Sleep > TimeSpan.Zero)
            {
                await Task.Delay(reply.Sleep, stop.Token);
            }

            if (reply.Hang)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            context.Abort();
            return;
        }

        if (reply.ErrorStatus is { } status)
        {
            context.Response.Headers["request-id"] = $"req_standin_{status}";
            await AnthropicReplyWriter.WriteErrorAsync(context, status, $"stand-in error {status}");
            return;
        }

        var id = $"msg_standin_{(request["messages"] as JsonArray)?.Count ?? 0}";
        var model = request["model"] is JsonValue value && value.TryGetValue<string>(out var asked) ? asked : Model;
        if (request["stream"] is JsonValue stream && stream.GetValueKind() == JsonValueKind.True)
        {
            await AnthropicReplyWriter.WriteStreamAsync(context, reply, id, model, stop.Token);
        }
        else
        {
            await AnthropicReplyWriter.WriteMessageAsync(context, reply, id, model);
        }
    }

    /// <summary>A rough count (four characters a token), the same for the same body.</summary>
    private static Task CountTokensAsync(HttpContext context)
    {
        var recorded = (AnthropicRecordedRequest)context.Items[RecordedKey]!;
        return AnthropicReplyWriter.WriteJsonAsync(context, StatusCodes.Status200OK, new JsonObject { ["input_tokens"] = Math.Max(1, recorded.Body.Length / 4) });
    }

    private static JsonObject ModelInfo(string id) => new()
    {
        ["type"] = "model",
        ["id"] = id,
        ["display_name"] = id,
        ["created_at"] = "2026-01-01T00:00:00Z",
    };
}
