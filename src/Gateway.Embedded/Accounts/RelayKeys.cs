namespace Cerver.Gateway.Embedded.Accounts;

/// <summary>
/// The keys this gateway issues to other relays: random, shown once, stored as a SHA-256
/// hash. A revoked key is refused on its very next request.
/// </summary>
public sealed class RelayKeys(AccountStore store, TimeProvider time)
{
    public const string Prefix = "crk_";

    // last_used_at is for people reading `devices list`; writing it on every heartbeat would only add load.
    private static readonly TimeSpan TouchGranularity = TimeSpan.FromMinutes(1);

    /// <summary>The relay a presented key belongs to, or null when the key is unknown or revoked.</summary>
    public async Task<Caller?> VerifyAsync(string presentedKey, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(presentedKey))
        {
            return null;
        }

        var key = await store.FindKeyByHashAsync(Secrets.Hash(presentedKey), cancellationToken);
        if (key is null || key.RevokedAt is not null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (key.LastUsedAt is null || now - key.LastUsedAt >= TouchGranularity)
        {
            await store.TouchKeyAsync(key.KeyId, now, cancellationToken);
        }

        return new Caller(CallerKind.Relay, key.AccountId, key.KeyId, key.MachineName);
    }

    public Task<IReadOnlyList<RelayKeyRecord>> ListAsync(CancellationToken cancellationToken) => store.ListKeysAsync(cancellationToken);

    /// <summary>Revokes a key (again is fine); throws not-found for an id this gateway never issued.</summary>
    public async Task<RelayKeyRecord> RevokeAsync(string keyId, CancellationToken cancellationToken)
    {
        if (await store.FindKeyAsync(keyId, cancellationToken) is null)
        {
            throw new Relay.Compute.Contract.ComputeException(Relay.Compute.Contract.ComputeErrorKind.NotFound, "key_not_found",
                $"No key '{keyId}' was issued by this gateway; 'cerver-relay devices list' shows the keys.");
        }

        await store.RevokeKeyAsync(keyId, time.GetUtcNow(), cancellationToken);
        return (await store.FindKeyAsync(keyId, cancellationToken))!;
    }

    /// <summary>A new key for a relay of this gateway's account: the secret, to hand out once, and what is stored of it.</summary>
    internal (string Secret, RelayKeyRecord Record) Mint(string machineName)
    {
        var secret = Secrets.New(Prefix);
        return (secret, new RelayKeyRecord(Secrets.NewId("key_"), store.AccountId, machineName, time.GetUtcNow(), null, null));
    }
}
