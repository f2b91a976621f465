using Cerver.Gateway.Embedded.Accounts.Wire;
using Cerver.Relay.Compute.Contract;
using Microsoft.Extensions.Options;

namespace Cerver.Gateway.Embedded.Accounts;

/// <summary>What a device poll answered, with the HTTP status it is sent with.</summary>
public sealed record DevicePollOutcome(int HttpStatus, DevicePollResponse Body);

/// <summary>
/// Device authorization (RFC 8628 as the hosted gateway serves it): a relay asks for a code,
/// the owner of this gateway approves its user code with <c>cerver-relay devices approve</c>,
/// and the relay's next poll receives a new key, once.
/// </summary>
public sealed class DeviceAuthorization(AccountStore store, RelayKeys keys, DeviceStartLimiter limiter, IOptions<GatewayOptions> options, TimeProvider time)
{
    /// <summary>RFC 8628 section 3.5: a client told to slow down adds five seconds to its interval.</summary>
    public const int SlowDownSeconds = 5;

    private const int MaxMachineNameLength = 200;

    /// <summary>
    /// Whether an anonymous caller may start a device authorization now: null when it may, else
    /// how long to wait. Anyone who reaches the port may call it, so both the rate and the rows
    /// it leaves behind are bounded.
    /// </summary>
    public TimeSpan? Admit()
    {
        if (store.CountPending(time.GetUtcNow()) >= options.Value.MaxPendingDeviceCodes)
        {
            return options.Value.DeviceStartRefill;
        }

        return limiter.TryTake();
    }

    /// <summary>Deletes the device codes past their expiry and the retention after it; returns how many.</summary>
    public int DeleteExpired() => store.DeleteDeviceCodesExpiredBefore(time.GetUtcNow() - options.Value.DeviceCodeRetention);

    public DeviceStartResponse Start(string? machineName, Uri verificationUri)
    {
        if (string.IsNullOrWhiteSpace(machineName) || machineName.Length > MaxMachineNameLength || machineName.Any(char.IsControl))
        {
            throw ComputeException.Invalid("machine_name", $"a name for the machine is required (1 to {MaxMachineNameLength} printable characters)");
        }

        var now = time.GetUtcNow();
        var userCode = UserCode.New();
        while (store.IsUserCodeInUse(userCode, now))
        {
            userCode = UserCode.New();
        }

        var deviceCode = Secrets.New("cdc_");
        var settings = options.Value;
        store.InsertDeviceCode(new DeviceCodeRecord(Secrets.Hash(deviceCode), userCode, machineName.Trim(), DeviceCodeStatus.Pending,
            settings.DevicePollIntervalSeconds, now, now + settings.DeviceCodeLifetime, null, null));
        var shown = UserCode.Format(userCode);
        return new DeviceStartResponse(deviceCode, shown, verificationUri.ToString(),
            (int)settings.DeviceCodeLifetime.TotalSeconds, settings.DevicePollIntervalSeconds)
        {
            VerificationUriComplete = $"{verificationUri}?user_code={Uri.EscapeDataString(shown)}",
        };
    }

    public DevicePollOutcome Poll(string? deviceCode)
    {
        if (string.IsNullOrWhiteSpace(deviceCode))
        {
            throw ComputeException.Invalid("device_code", "the query parameter device_code is required");
        }

        var now = time.GetUtcNow();
        var hash = Secrets.Hash(deviceCode);
        var code = store.FindDeviceCode(hash);
        if (code is null || code.Status == DeviceCodeStatus.Consumed)
        {
            return Refused("invalid", "invalid_device_code", "This device code is unknown or was already used; start the login again.");
        }

        if (now >= code.ExpiresAt)
        {
            return Refused("expired", "expired_token", "The code expired before it was approved; start the login again.");
        }

        if (code.Status == DeviceCodeStatus.Denied)
        {
            return Refused("denied", "access_denied", "The gateway's owner denied this login.");
        }

        if (code.Status == DeviceCodeStatus.Approved)
        {
            var (secret, record) = keys.Mint(code.MachineName);
            return store.ConsumeApproved(hash, record, Secrets.Hash(secret))
                ? new DevicePollOutcome(200, new DevicePollResponse("approved", AccessToken: secret, AccountId: record.AccountId, KeyId: record.KeyId))
                : Refused("invalid", "invalid_device_code", "This device code was already used; start the login again.");
        }

        if (code.LastPolledAt is { } last && now - last < TimeSpan.FromSeconds(code.IntervalSeconds))
        {
            var slower = code.IntervalSeconds + SlowDownSeconds;
            store.RecordPoll(hash, now, slower);
            return new DevicePollOutcome(202, new DevicePollResponse("pending", "slow_down",
                $"Polled faster than every {code.IntervalSeconds} s; poll every {slower} s.", Interval: slower));
        }

        store.RecordPoll(hash, now, code.IntervalSeconds);
        return new DevicePollOutcome(202, new DevicePollResponse("pending", "authorization_pending",
            "Waiting for approval on the gateway: cerver-relay devices approve CODE.", Interval: code.IntervalSeconds));
    }

    public DeviceCodeRecord Approve(string? typedUserCode) => Decide(typedUserCode, DeviceCodeStatus.Approved);

    public DeviceCodeRecord Deny(string? typedUserCode) => Decide(typedUserCode, DeviceCodeStatus.Denied);

    public IReadOnlyList<DeviceCodeRecord> ListPending() => store.ListPending(time.GetUtcNow());

    private DeviceCodeRecord Decide(string? typedUserCode, string status)
    {
        var normalized = UserCode.Normalize(typedUserCode)
            ?? throw ComputeException.Invalid("user_code", $"'{typedUserCode}' is not a user code; it looks like XXXX-XXXX (letters from {UserCode.Alphabet})");
        var code = store.FindByUserCode(normalized)
            ?? throw new ComputeException(ComputeErrorKind.NotFound, "unknown_user_code",
                $"No login is waiting with code {UserCode.Format(normalized)}; check the code the relay printed ('cerver-relay devices list' shows waiting ones).");
        var now = time.GetUtcNow();
        if (code.Status != DeviceCodeStatus.Pending)
        {
            throw new ComputeException(ComputeErrorKind.Conflict, "already_decided",
                $"The login with code {UserCode.Format(normalized)} was already {(code.Status == DeviceCodeStatus.Consumed ? "approved" : code.Status)}.");
        }

        if (now >= code.ExpiresAt || !store.Decide(code.DeviceCodeHash, status, now))
        {
            throw new ComputeException(ComputeErrorKind.Gone, "code_expired",
                $"The code {UserCode.Format(normalized)} expired; run 'cerver-relay login' again on the other machine.");
        }

        return code with { Status = status };
    }

    private static DevicePollOutcome Refused(string status, string error, string description) =>
        new(400, new DevicePollResponse(status, error, description));
}
