using System.Collections.Frozen;
using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Http;
using Cerver.Relay.Compute.Contract;

namespace Cerver.Gateway.Embedded.Link;

/// <summary>The errors of calls to a linked relay, and its API's error answers back into compute errors.</summary>
public static class LinkErrors
{
    public const string RelayDisconnected = "relay_disconnected";

    public const string RelayTimedOut = "relay_timed_out";

    public const string CallOverrun = "link_call_overrun";

    // The relay's API answers each kind with its own status (ApiErrors.StatusFor), so the status
    // gives the kind back; built from the enum itself so a kind added later crosses too.
    private static readonly FrozenDictionary<int, ComputeErrorKind> KindsByStatus = Enum.GetValues<ComputeErrorKind>()
        .Where(kind => kind != ComputeErrorKind.Fault)
        .ToFrozenDictionary(ApiErrors.StatusFor);

    /// <summary>The compute error an error answer of the relay's API stands for: its kind by status, its code and message as they are.</summary>
    public static ComputeException FromAnswer(int status, JsonNode? body, string computeId)
    {
        var kind = KindsByStatus.GetValueOrDefault(status, ComputeErrorKind.Fault);
        return body?["error"] is JsonObject { } error && Text(error["code"]) is { } code
            ? new ComputeException(kind, code, Text(error["message"]) ?? code)
            : new ComputeException(kind, "relay_error", $"The relay {computeId} answered HTTP {status} without an error body.");
    }

    public static ComputeException Disconnected(string computeId) =>
        new(ComputeErrorKind.Unavailable, RelayDisconnected,
            $"The relay {computeId} dropped its link during the call; the call's outcome on that machine is unknown.");

    public static ComputeException TimedOut(string computeId, string call, TimeSpan deadline) =>
        new(ComputeErrorKind.Unavailable, RelayTimedOut,
            $"The relay {computeId} did not answer {call} within {deadline}; the call was cancelled there.");

    public static ComputeException Overrun(string computeId, long bytes) =>
        new(ComputeErrorKind.Busy, CallOverrun,
            $"The relay {computeId} sent more than {bytes / (1024 * 1024)} MiB this call's reader had not taken yet; the call was cancelled there.");

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
