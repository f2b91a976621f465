using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Cerver.Relay.Dashboard;

/// <summary>
/// One-time codes that sign a browser in to the dashboard. Each is 32 random bytes, good for one
/// use within <see cref="Lifetime"/>, and held only in memory (as a hash: a heap dump shows no
/// usable code), so a daemon restart voids every link.
/// </summary>
public sealed class LoginLinks(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _expiries = new(StringComparer.Ordinal);

    /// <summary>A new code and when it stops working.</summary>
    public (string Code, DateTimeOffset ExpiresAt) Issue()
    {
        var now = time.GetUtcNow();
        foreach (var (hash, expiresAt) in _expiries)
        {
            if (expiresAt <= now)
            {
                _expiries.TryRemove(hash, out _);
            }
        }

        var code = Base64Url(RandomNumberGenerator.GetBytes(32));
        var expires = now + Lifetime;
        _expiries[Hash(code)] = expires;
        return (code, expires);
    }

    /// <summary>True once for a code issued here that has not expired; every later try is false.</summary>
    public bool Redeem(string? code) =>
        !string.IsNullOrEmpty(code)
        && code.Length <= 128
        && _expiries.TryRemove(Hash(code), out var expiresAt)
        && expiresAt > time.GetUtcNow();

    internal static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Hash(string code) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(code)));
}
