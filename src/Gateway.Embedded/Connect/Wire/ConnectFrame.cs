using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Cerver.Gateway.Embedded.Connect.Wire;

/// <summary>
/// One JSON text frame of the connect channel (SPEC 7, observed): <c>connected</c>,
/// <c>ping</c>/<c>pong</c>, <c>request</c>/<c>response</c> and <c>stream_event</c>. One shape
/// for all, so a frame wrong in one field still parses far enough to be answered by its id.
/// </summary>
public sealed record ConnectFrame
{
    public string? Type { get; init; }
    public string? RequestId { get; init; }
    public string? Method { get; init; }
    public string? Path { get; init; }
    public Dictionary<string, string>? Headers { get; init; }
    public JsonNode? Body { get; init; }
    public int? Status { get; init; }
    public string? ComputeId { get; init; }
    public string? SessionId { get; init; }
    public JsonNode? Event { get; init; }

    /// <summary>A streamed response's event data (<c>response_chunk</c>), its name in <see cref="Event"/>.</summary>
    public string? Data { get; init; }

    /// <summary>On a request: answer with <c>response_start</c>/<c>response_chunk</c>/<c>response_end</c> when the answer is a stream.</summary>
    public bool? Stream { get; init; }

    public static ConnectFrame Ping { get; } = new() { Type = ConnectFrameTypes.Ping };

    public static ConnectFrame Pong { get; } = new() { Type = ConnectFrameTypes.Pong };

    /// <summary>A response in the SPEC's error shape, <c>{"error": {"code", "message"}}</c>.</summary>
    public static ConnectFrame Failure(string? requestId, int status, string code, string message) => new()
    {
        Type = ConnectFrameTypes.Response,
        RequestId = requestId,
        Status = status,
        Headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["content-type"] = "application/json" },
        Body = new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } },
    };
}

public static class ConnectFrameTypes
{
    public const string Connected = "connected";
    public const string Ping = "ping";
    public const string Pong = "pong";
    public const string Request = "request";
    public const string Response = "response";
    public const string StreamEvent = "stream_event";
    public const string ResponseStart = "response_start";
    public const string ResponseChunk = "response_chunk";
    public const string ResponseEnd = "response_end";
    public const string Cancel = "cancel";
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DictionaryKeyPolicy = JsonKnownNamingPolicy.Unspecified,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ConnectFrame))]
public sealed partial class ConnectJsonContext : JsonSerializerContext
{
    private static ConnectJsonContext? s_wire;

    /// <summary>
    /// Non-ASCII text travels as UTF-8, not <c>\uXXXX</c> escapes: a file of multi-byte text
    /// would otherwise grow sixfold on the wire and a legal file could pass the frame cap.
    /// </summary>
    public static ConnectJsonContext Wire => s_wire ??= new ConnectJsonContext(new JsonSerializerOptions(Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
