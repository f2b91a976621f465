namespace Cerver.Gateway.Embedded.Accounts;

public static class DeviceCodeStatus
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Denied = "denied";

    /// <summary>Approved and its key handed out: the device code is spent.</summary>
    public const string Consumed = "consumed";
}

/// <summary>A device authorization as stored; the device code itself exists only as its hash.</summary>
public sealed record DeviceCodeRecord(
    string DeviceCodeHash,
    string UserCode,
    string MachineName,
    string Status,
    int IntervalSeconds,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? LastPolledAt,
    string? KeyId);

/// <summary>A key this gateway issued to a relay; the secret exists only as its hash.</summary>
public sealed record RelayKeyRecord(
    string KeyId,
    string AccountId,
    string MachineName,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt);
