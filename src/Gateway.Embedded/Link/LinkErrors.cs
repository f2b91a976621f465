using Cerver.Gateway.Embedded.Link.Wire;
using Cerver.Relay.Compute.Contract;

namespace Cerver.Gateway.Embedded.Link;

/// <summary>Compute errors to link errors and back, so a refusal keeps its kind across the link.</summary>
public static class LinkErrors
{
    public const string RelayDisconnected = "relay_disconnected";

    public static LinkError From(ComputeException exception) =>
        new(exception.Code, exception.Message, KindName(exception.Kind));

    public static ComputeException ToException(LinkError? error, string computeId) =>
        error is null
            ? new ComputeException(ComputeErrorKind.Fault, "link_error", $"The relay {computeId} answered with an error frame that says nothing.")
            : new ComputeException(ParseKind(error.Kind), error.Code, error.Message);

    public static ComputeException Disconnected(string computeId) =>
        new(ComputeErrorKind.Unavailable, RelayDisconnected,
            $"The relay {computeId} dropped its link during the call; the call's outcome on that machine is unknown.");

    private static readonly (ComputeErrorKind Kind, string Name)[] KindNames =
    [
        (ComputeErrorKind.InvalidInput, "invalid_input"),
        (ComputeErrorKind.NotFound, "not_found"),
        (ComputeErrorKind.Conflict, "conflict"),
        (ComputeErrorKind.TooLarge, "too_large"),
        (ComputeErrorKind.Unprocessable, "unprocessable"),
        (ComputeErrorKind.Busy, "busy"),
        (ComputeErrorKind.Unavailable, "unavailable"),
        (ComputeErrorKind.Fault, "fault"),
    ];

    private static string KindName(ComputeErrorKind kind) => KindNames.FirstOrDefault(entry => entry.Kind == kind).Name ?? "fault";

    private static ComputeErrorKind ParseKind(string? name) =>
        KindNames.FirstOrDefault(entry => entry.Name == name) is { Name: not null } found ? found.Kind : ComputeErrorKind.Fault;
}
