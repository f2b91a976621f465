using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Cerver.Gateway.Embedded.Link.Wire;

/// <summary>
/// One JSON text frame of the dispatch link (SPEC section 7). A single shape carries every
/// frame type so a frame that is wrong in any field still parses far enough to be refused
/// by its id instead of being dropped silently.
/// </summary>
public sealed record LinkFrame
{
    public string? Type { get; init; }
    public string? Id { get; init; }
    public string? Op { get; init; }
    public string? SandboxId { get; init; }
    public JsonObject? Args { get; init; }
    public string? Stream { get; init; }
    public string? Data { get; init; }
    public JsonNode? Body { get; init; }
    public LinkError? Error { get; init; }
    public string? ComputeId { get; init; }
    public string? RelayVersion { get; init; }
    public JsonObject? Capabilities { get; init; }

    public static LinkFrame Ping { get; } = new() { Type = LinkFrameTypes.Ping };

    public static LinkFrame Pong { get; } = new() { Type = LinkFrameTypes.Pong };

    public static LinkFrame Failure(string? id, LinkError error) => new() { Type = LinkFrameTypes.Error, Id = id, Error = error };
}

/// <summary>
/// A refused or failed call. <c>kind</c> is an addition to the SPEC's <c>{code, message}</c>:
/// it carries the compute error kind across so the gateway answers with the status the
/// relay's own API would have used.
/// </summary>
public sealed record LinkError(string Code, string Message, string? Kind = null);

public static class LinkFrameTypes
{
    public const string Hello = "hello";
    public const string Call = "call";

    /// <summary>A streamed call passed the relay's checks: every refusal of it comes before this frame.</summary>
    public const string Accepted = "accepted";
    public const string Chunk = "chunk";
    public const string Result = "result";
    public const string Error = "error";
    public const string Cancel = "cancel";
    public const string Ping = "ping";
    public const string Pong = "pong";
}

/// <summary>The calls of the compute contract as the link names them.</summary>
public static class LinkOps
{
    public const string CreateSandbox = "createSandbox";
    public const string GetSandbox = "getSandbox";
    public const string ListSandboxes = "listSandboxes";
    public const string RunSandbox = "runSandbox";
    public const string RunSandboxStream = "runSandboxStream";
    public const string InstallPackage = "installPackage";
    public const string WriteFile = "writeFile";
    public const string ReadFile = "readFile";
    public const string GetState = "getState";
    public const string SetState = "setState";
    public const string DeleteSandbox = "deleteSandbox";

    /// <summary>An agent turn: <c>agent</c> chunks carry its events, the result is its completion.</summary>
    public const string RunAgentTurn = "runAgentTurn";
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LinkFrame))]
public sealed partial class LinkJsonContext : JsonSerializerContext
{
    private static LinkJsonContext? s_wire;

    /// <summary>
    /// The context frames go over the link with. Frames are read by the other end of the link,
    /// never by a browser, so non-ASCII text stays UTF-8 instead of six-byte <c>\uXXXX</c>
    /// escapes: escaped, a legal 16 MiB file of multi-byte text would outgrow
    /// <see cref="Link.LinkChannel.MaxFrameBytes"/> and close the link.
    /// </summary>
    // Built on first use: a static initializer would run before the generated Default exists.
    public static LinkJsonContext Wire => s_wire ??= new(new System.Text.Json.JsonSerializerOptions(Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
