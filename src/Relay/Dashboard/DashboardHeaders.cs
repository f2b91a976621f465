using Microsoft.AspNetCore.Http;

namespace Cerver.Relay.Dashboard;

/// <summary>
/// What every dashboard response carries: only the daemon's own scripts, styles and connections,
/// no framing, no referrer (a login code must not travel on), and no caching of the pages.
/// </summary>
public static class DashboardHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static void Apply(HttpResponse response, bool page)
    {
        ArgumentNullException.ThrowIfNull(response);
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        // Pages hold the CSRF token; the assets change with the binary (self-update), so both are asked for again.
        headers.CacheControl = page ? "no-store" : "no-cache";
    }
}
