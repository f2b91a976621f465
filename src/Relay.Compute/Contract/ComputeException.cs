namespace Cerver.Relay.Compute.Contract;

/// <summary>What kind of refusal a compute call ended in; the HTTP layer maps each to a status.</summary>
public enum ComputeErrorKind
{
    InvalidInput,
    Forbidden,
    NotFound,
    Gone,
    Conflict,
    TooLarge,
    Unprocessable,
    Busy,
    Unavailable,
    Fault,
}

/// <summary>A compute call refused or failed for a reason the caller can act on.</summary>
public sealed class ComputeException(ComputeErrorKind kind, string code, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public ComputeErrorKind Kind { get; } = kind;

    /// <summary>A stable snake_case code for scripts, e.g. <c>sandbox_not_found</c>.</summary>
    public string Code { get; } = code;

    public static ComputeException Invalid(string field, string message) =>
        new(ComputeErrorKind.InvalidInput, "invalid_request", $"{field}: {message}");

    public static ComputeException SandboxNotFound(string sandboxId) =>
        new(ComputeErrorKind.NotFound, "sandbox_not_found", $"No sandbox '{sandboxId}' on this compute.");
}
