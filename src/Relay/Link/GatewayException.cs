namespace Cerver.Relay.Link;

/// <summary>A gateway call that failed: unreachable (no status), or refused with a status and the gateway's error code.</summary>
public sealed class GatewayException(string message, int? status = null, string? code = null, Exception? inner = null) : Exception(message, inner)
{
    public int? Status { get; } = status;

    public string? Code { get; } = code;

    public bool IsUnreachable => Status is null;

    /// <summary>Worth trying again later: the gateway was not reached, was overloaded or failed.</summary>
    public bool IsTransient => Status is null or 408 or 429 or >= 500;
}
