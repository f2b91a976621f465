using System.Net;
using System.Security.Cryptography;
using System.Text;
using Cerver.Gateway.Embedded.Accounts;
using Cerver.Gateway.Embedded.Http;
using Cerver.Relay.Dashboard;
using Cerver.Relay.Link;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace Cerver.Relay.Daemon;

/// <summary>
/// The local API's front door. A foreign <c>Host</c> is refused (a DNS-rebinding page in a
/// browser carries its own name), a browser <c>Origin</c> other than the daemon's own is
/// refused (no CORS, ever), and every endpoint not marked anonymous needs a bearer: the
/// local token or the account key (the owner, full access), or a key this gateway issued to
/// another relay (only the routes marked <see cref="RelayKeyAccess"/>). A browser signed in to the
/// dashboard is the owner too, by its cookie; as a cookie rides along with any request the browser
/// makes, a state-changing one must also prove it comes from the dashboard's own page: the
/// session's CSRF token in <c>X-CSRF-Token</c> and the daemon's own <c>Origin</c>. The caller it
/// establishes is attached to the request as a <see cref="Caller"/>.
/// </summary>
public sealed class LocalApiGuard(RequestDelegate next, LocalApiCredentials credentials, string listenAddress)
{
    public const string CsrfHeader = "X-CSRF-Token";

    public async Task InvokeAsync(HttpContext context, AccountStore accounts, RelayKeys relayKeys, DashboardSessions dashboards)
    {
        if (!HostHeader.TryParse(context.Request.Host.Value, out var parsed))
        {
            await ApiErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_host",
                "The Host header is not a host name with an optional port from 1 to 65535.");
            return;
        }

        var host = parsed.Name;
        if (!IsAllowedHost(host))
        {
            await ApiErrors.WriteAsync(context, StatusCodes.Status403Forbidden, "forbidden_host",
                $"Host '{host}' is not this relay; call it as 127.0.0.1, localhost or [::1].");
            return;
        }

        if (context.Request.Headers.Origin is { Count: > 0 } origin && !IsOwnOrigin(origin.ToString(), context.Request))
        {
            await ApiErrors.WriteAsync(context, StatusCodes.Status403Forbidden, "forbidden_origin",
                "Browser pages from other origins may not call the relay.");
            return;
        }

        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            await next(context);
            return;
        }

        var presented = BearerToken(context.Request)
            ?? (endpoint?.Metadata.GetMetadata<QueryTokenAccess>() is not null ? context.Request.Query["token"].ToString() : null);
        Caller? caller;
        if (string.IsNullOrEmpty(presented) && dashboards.Find(context.Request.Cookies[DashboardSessions.CookieName]) is { } dashboard)
        {
            if (await RefusedCrossSiteAsync(context, dashboard))
            {
                return;
            }

            DashboardCookie.Attach(context, dashboard);
            caller = new Caller(CallerKind.Owner, accounts.AccountId);
        }
        else
        {
            caller = credentials.Accepts(presented) ? new Caller(CallerKind.Owner, accounts.AccountId)
                : string.IsNullOrEmpty(presented) ? null
                : await relayKeys.VerifyAsync(presented, context.RequestAborted);
        }

        if (caller is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await ApiErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, "unauthorized",
                "Send 'Authorization: Bearer <token>' with the token from relay/local.token or your Cerver API key (a revoked key is refused: log in again).");
            return;
        }

        if (caller.Kind == CallerKind.Relay && endpoint?.Metadata.GetMetadata<RelayKeyAccess>() is null)
        {
            await ApiErrors.WriteAsync(context, StatusCodes.Status403Forbidden, "forbidden_scope",
                "A relay key may only call whoami and register and heartbeat its computes; this route is for the gateway machine's owner.");
            return;
        }

        caller.AttachTo(context);
        await next(context);
    }

    /// <summary>Refuses a cookie-borne unsafe request that lacks the page's CSRF token or its own Origin (checked as own above when present).</summary>
    private static async Task<bool> RefusedCrossSiteAsync(HttpContext context, DashboardSession dashboard)
    {
        var method = context.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method))
        {
            return false;
        }

        var (code, message) = context.Request.Headers[CsrfHeader].ToString() switch
        {
            "" => ("csrf_token_missing", $"A dashboard request that changes something must carry the page's CSRF token in {CsrfHeader}."),
            var token when !dashboard.AcceptsCsrf(token) => ("csrf_token_invalid", $"The {CsrfHeader} header is not this dashboard session's token; reload the page."),
            _ when context.Request.Headers.Origin.Count == 0 => ("origin_missing", "A dashboard request that changes something must come from the dashboard's page (no Origin header was sent)."),
            _ => (null, null),
        };
        if (code is null)
        {
            return false;
        }

        await ApiErrors.WriteAsync(context, StatusCodes.Status403Forbidden, code, message!);
        return true;
    }

    private bool IsAllowedHost(string host)
    {
        var bare = host.Trim('[', ']');
        return bare.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(bare, out var address) && IPAddress.IsLoopback(address))
            || bare.Equals(listenAddress.Trim('[', ']'), StringComparison.OrdinalIgnoreCase);
    }

    private bool IsOwnOrigin(string origin, HttpRequest request) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && uri.Scheme == Uri.UriSchemeHttp
        && IsAllowedHost(uri.Host)
        && HostHeader.TryParse(request.Host.Value, out var host)
        && uri.Port == (host.Port ?? 80);

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }
}

/// <summary>
/// The secrets the local API accepts as the owner's, compared in constant time: the local token,
/// and the account key the daemon holds at the moment of the request (a login or logout changes it).
/// </summary>
public sealed class LocalApiCredentials(string localToken, AccountKey accountKey)
{
    private readonly byte[] _token = SHA256.HashData(Encoding.UTF8.GetBytes(localToken));

    public bool Accepts(string? presented)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var match = CryptographicOperations.FixedTimeEquals(hash, _token);
        if (accountKey.Current is { Length: > 0 } key)
        {
            match |= CryptographicOperations.FixedTimeEquals(hash, SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        }

        return match;
    }
}
