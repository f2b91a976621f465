using System.Text.Json.Serialization;

namespace Cerver.Gateway.Embedded.Accounts.Wire;

/// <summary>POST /v2/auth/device.</summary>
public sealed record DeviceStartRequest
{
    public string? MachineName { get; init; }
}

/// <summary>
/// The device login's start. <c>verification_uri_complete</c> (RFC 8628 section 3.3.1) carries
/// the user code, so a browser opened on it needs nothing typed; a gateway may leave it out.
/// </summary>
public sealed record DeviceStartResponse(string DeviceCode, string UserCode, string VerificationUri, int ExpiresIn, int Interval)
{
    public string? VerificationUriComplete { get; init; }
}

/// <summary>
/// GET /v2/auth/device?device_code=…, the observed shape: <c>error</c> is an RFC 8628 code
/// (<c>authorization_pending</c>, <c>slow_down</c>, <c>expired_token</c>, <c>access_denied</c>,
/// <c>invalid_device_code</c>), not the SPEC's error object.
/// </summary>
public sealed record DevicePollResponse(
    string Status,
    string? Error = null,
    string? ErrorDescription = null,
    string? AccessToken = null,
    string? AccountId = null,
    string? KeyId = null,
    int? Interval = null);

public sealed record WhoAmIResponse(string AccountId, string? KeyId, string? MachineName, string Kind);

/// <summary>POST /relay/devices/approve and /deny.</summary>
public sealed record UserCodeRequest
{
    public string? UserCode { get; init; }
}

public sealed record DeviceDecisionResponse(string UserCode, string Status, string MachineName);

public sealed record PendingDevice(string UserCode, string MachineName, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

public sealed record IssuedKey(string KeyId, string AccountId, string MachineName, string Status, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

public sealed record DeviceListResponse(IReadOnlyList<PendingDevice> Pending, IReadOnlyList<IssuedKey> Keys);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(DeviceStartRequest))]
[JsonSerializable(typeof(DeviceStartResponse))]
[JsonSerializable(typeof(DevicePollResponse))]
[JsonSerializable(typeof(WhoAmIResponse))]
[JsonSerializable(typeof(UserCodeRequest))]
[JsonSerializable(typeof(DeviceDecisionResponse))]
[JsonSerializable(typeof(DeviceListResponse))]
[JsonSerializable(typeof(IssuedKey))]
public sealed partial class AccountJsonContext : JsonSerializerContext;
