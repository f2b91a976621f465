using System.Collections.Frozen;
using System.Text.Json;
using Cerver.Gateway.Embedded.Link.Wire;
using Cerver.Relay.Compute.Contract;

namespace Cerver.Gateway.Embedded.Link;

/// <summary>Compute errors to link errors and back, so a refusal keeps its kind across the link.</summary>
public static class LinkErrors
{
    public const string RelayDisconnected = "relay_disconnected";

    public const string RelayTimedOut = "relay_timed_out";

    public const string CallOverrun = "link_call_overrun";

    public const string Internal = "internal_error";

    // Every kind by its snake_case name, built from the enum itself so a kind added later
    // crosses the link too instead of turning into a fault.
    private static readonly FrozenDictionary<ComputeErrorKind, string> NamesByKind =
        Enum.GetValues<ComputeErrorKind>().ToFrozenDictionary(kind => kind, kind => JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString()));

    private static readonly FrozenDictionary<string, ComputeErrorKind> KindsByName =
        NamesByKind.ToFrozenDictionary(entry => entry.Value, entry => entry.Key, StringComparer.Ordinal);

    public static LinkError From(ComputeException exception) =>
        new(exception.Code, exception.Message, NamesByKind[exception.Kind]);

    public static ComputeException ToException(LinkError? error, string computeId) =>
        error is null
            ? new ComputeException(ComputeErrorKind.Fault, "link_error", $"The relay {computeId} answered with an error frame that says nothing.")
            : new ComputeException(error.Kind is not null && KindsByName.TryGetValue(error.Kind, out var kind) ? kind : ComputeErrorKind.Fault, error.Code, error.Message);

    public static ComputeException Disconnected(string computeId) =>
        new(ComputeErrorKind.Unavailable, RelayDisconnected,
            $"The relay {computeId} dropped its link during the call; the call's outcome on that machine is unknown.");

    /// <summary>What the relay answers for a call that failed in a way it did not foresee; the details stay in its log.</summary>
    public static ComputeException InternalError() =>
        new(ComputeErrorKind.Fault, Internal, "The relay failed the call with an internal error; its log has the details.");

    public static ComputeException TimedOut(string computeId, string op, TimeSpan deadline) =>
        new(ComputeErrorKind.Unavailable, RelayTimedOut,
            $"The relay {computeId} did not answer its {op} call within {deadline}; the call was cancelled there.");

    public static ComputeException Overrun(string computeId, long bytes) =>
        new(ComputeErrorKind.Busy, CallOverrun,
            $"The relay {computeId} sent more than {bytes / (1024 * 1024)} MiB this call's reader had not taken yet; the call was cancelled there.");
}
