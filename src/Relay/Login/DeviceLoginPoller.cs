using Cerver.Gateway.Embedded.Accounts.Wire;
using Cerver.Relay.Link;

namespace Cerver.Relay.Login;

/// <summary>An approved login: the key to keep and whose it is.</summary>
public sealed record DeviceLoginResult(string AccessToken, string AccountId, string? KeyId);

/// <summary>A login that ended without a key; the message says what to do.</summary>
public sealed class DeviceLoginException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>
/// The polling half of the device flow (RFC 8628 section 3.5): wait <c>interval</c> between
/// polls, add five seconds on <c>slow_down</c>, give up at <c>expires_in</c>, and stop at
/// once on a refusal. Waits run on the <see cref="TimeProvider"/> and end on cancellation.
/// </summary>
public sealed class DeviceLoginPoller(TimeProvider time)
{
    public async Task<DeviceLoginResult> PollAsync(DeviceStartResponse start, Func<CancellationToken, Task<DevicePollResponse>> poll, CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(1, start.Interval));
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(start.ExpiresIn);
        while (true)
        {
            await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
            if (time.GetUtcNow() >= deadline)
            {
                throw Expired();
            }

            DevicePollResponse answer;
            try
            {
                answer = await poll(cancellationToken).ConfigureAwait(false);
            }
            catch (GatewayException exception) when (exception.IsTransient)
            {
                // The gateway may come back before the code expires; the deadline bounds the wait.
                continue;
            }

            switch (answer.Error ?? answer.Status)
            {
                case "approved" when answer.AccessToken is { Length: > 0 } token:
                    return new DeviceLoginResult(token, answer.AccountId ?? "", answer.KeyId);
                case "authorization_pending" or "pending":
                    continue;
                case "slow_down":
                    interval += TimeSpan.FromSeconds(5);
                    continue;
                case "expired_token":
                    throw Expired();
                case "access_denied":
                    throw new DeviceLoginException("access_denied", "the login was denied on the gateway.");
                case "invalid_device_code":
                    throw new DeviceLoginException("invalid_device_code", "the gateway no longer knows this login (its code was used or removed); run 'cerver-relay login' again.");
                default:
                    throw new DeviceLoginException("unexpected_answer", $"the gateway answered '{answer.Error ?? answer.Status}', which this relay does not understand.");
            }
        }
    }

    private static DeviceLoginException Expired() =>
        new("expired_token", "the code expired before it was approved; run 'cerver-relay login' again and approve the new code sooner.");
}
