using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Cerver.Gateway.Embedded.Accounts;
using Microsoft.AspNetCore.Http;

namespace Cerver.Relay.Dashboard;

/// <summary>A signed-in browser: the cookie's id, the token its state-changing requests must carry, and its end.</summary>
public sealed record DashboardSession(string Id, string CsrfToken, DateTimeOffset ExpiresAt)
{
    /// <summary>Constant-time check of a presented CSRF token.</summary>
    public bool AcceptsCsrf(string? presented) =>
        !string.IsNullOrEmpty(presented)
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(CsrfToken));
}

/// <summary>
/// The dashboard's signed-in browsers, in memory only: a daemon restart signs everyone out, and
/// nothing about them reaches the disk.
/// </summary>
public sealed class DashboardSessions(TimeProvider time) : ISignedInBrowser
{
    public const string CookieName = "cerver_dashboard";

    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private readonly ConcurrentDictionary<string, DashboardSession> _sessions = new(StringComparer.Ordinal);

    public DashboardSession Start()
    {
        var now = time.GetUtcNow();
        foreach (var (id, session) in _sessions)
        {
            if (session.ExpiresAt <= now)
            {
                _sessions.TryRemove(id, out _);
            }
        }

        var started = new DashboardSession(LoginLinks.Base64Url(RandomNumberGenerator.GetBytes(32)), LoginLinks.Base64Url(RandomNumberGenerator.GetBytes(32)), now + Lifetime);
        _sessions[started.Id] = started;
        return started;
    }

    /// <summary>The live session a cookie names, or null (unknown, ended or expired).</summary>
    public DashboardSession? Find(string? id)
    {
        if (string.IsNullOrEmpty(id) || !_sessions.TryGetValue(id, out var session))
        {
            return null;
        }

        if (session.ExpiresAt > time.GetUtcNow())
        {
            return session;
        }

        _sessions.TryRemove(id, out _);
        return null;
    }

    public void End(string id) => _sessions.TryRemove(id, out _);

    public string? CsrfTokenOf(HttpContext context) => Find(context.Request.Cookies[CookieName])?.CsrfToken;
}
