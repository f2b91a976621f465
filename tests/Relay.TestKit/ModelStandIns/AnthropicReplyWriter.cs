using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Cerver.Relay.TestKit.ModelStandIns;

/// <summary>Writes a reply in the Messages API's shapes: one JSON message, or its server-sent events.</summary>
internal static class AnthropicReplyWriter
{
    public static Task WriteMessageAsync(HttpContext context, AnthropicReply reply, string id, string model) =>
        WriteJsonAsync(context, StatusCodes.Status200OK, new JsonObject
        {
            ["id"] = id,
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = model,
            ["content"] = new JsonArray([.. reply.Content.Select(block => block.DeepClone())]),
            ["stop_reason"] = reply.StopReason,
            ["stop_sequence"] = null,
            ["usage"] = Usage(AnthropicStandIn.OutputTokens),
        });

    public static async Task WriteStreamAsync(HttpContext context, AnthropicReply reply, string id, string model, CancellationToken cancellationToken)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var start = new JsonObject
        {
            ["id"] = id,
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = model,
            ["content"] = new JsonArray(),
            ["stop_reason"] = null,
            ["stop_sequence"] = null,
            ["usage"] = Usage(1),
        };
        await EventAsync(context, new JsonObject { ["type"] = "message_start", ["message"] = start }, cancellationToken);
        await EventAsync(context, new JsonObject { ["type"] = "ping" }, cancellationToken);
        for (var index = 0; index < reply.Content.Count; index++)
        {
            var block = reply.Content[index];
            await EventAsync(context, new JsonObject { ["type"] = "content_block_start", ["index"] = index, ["content_block"] = Opening(block) }, cancellationToken);
            foreach (var delta in Deltas(block))
            {
                await EventAsync(context, new JsonObject { ["type"] = "content_block_delta", ["index"] = index, ["delta"] = delta }, cancellationToken);
            }

            await EventAsync(context, new JsonObject { ["type"] = "content_block_stop", ["index"] = index }, cancellationToken);
        }

        await EventAsync(context, new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = reply.StopReason, ["stop_sequence"] = null },
            ["usage"] = Usage(AnthropicStandIn.OutputTokens),
        }, cancellationToken);
        await EventAsync(context, new JsonObject { ["type"] = "message_stop" }, cancellationToken);
    }

    public static Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        var type = status switch
        {
            400 => "invalid_request_error",
            401 => "authentication_error",
            403 => "permission_error",
            404 => "not_found_error",
            413 => "request_too_large",
            429 => "rate_limit_error",
            529 => "overloaded_error",
            _ => "api_error",
        };
        return WriteJsonAsync(context, status, new JsonObject
        {
            ["type"] = "error",
            ["error"] = new JsonObject { ["type"] = type, ["message"] = message },
        });
    }

    public static async Task WriteJsonAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    /// <summary>The same figures on every answer, so a test can predict a turn's usage from its number of calls.</summary>
    private static JsonObject Usage(int outputTokens) => new()
    {
        ["input_tokens"] = AnthropicStandIn.InputTokens,
        ["cache_creation_input_tokens"] = AnthropicStandIn.CacheCreationInputTokens,
        ["cache_read_input_tokens"] = AnthropicStandIn.CacheReadInputTokens,
        ["output_tokens"] = outputTokens,
    };

    private static JsonObject Opening(JsonObject block) => (string?)block["type"] switch
    {
        "thinking" => new JsonObject { ["type"] = "thinking", ["thinking"] = "", ["signature"] = "" },
        "tool_use" => new JsonObject { ["type"] = "tool_use", ["id"] = block["id"]?.DeepClone(), ["name"] = block["name"]?.DeepClone(), ["input"] = new JsonObject() },
        _ => new JsonObject { ["type"] = "text", ["text"] = "" },
    };

    private static IEnumerable<JsonObject> Deltas(JsonObject block)
    {
        switch ((string?)block["type"])
        {
            case "thinking":
                yield return new JsonObject { ["type"] = "thinking_delta", ["thinking"] = block["thinking"]?.DeepClone() };
                yield return new JsonObject { ["type"] = "signature_delta", ["signature"] = block["signature"]?.DeepClone() };
                break;
            case "tool_use":
                yield return new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = block["input"]?.ToJsonString() ?? "{}" };
                break;
            default:
                yield return new JsonObject { ["type"] = "text_delta", ["text"] = block["text"]?.DeepClone() };
                break;
        }
    }

    private static async Task EventAsync(HttpContext context, JsonObject data, CancellationToken cancellationToken)
    {
        await context.Response.WriteAsync($"event: {(string?)data["type"]}\ndata: {data.ToJsonString()}\n\n", cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
    }
}
