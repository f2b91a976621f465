using System.Globalization;
using Cerver.Gateway.Embedded.Accounts;
using Cerver.Gateway.Embedded.Http;
using Cerver.Relay.Cli;
using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Daemon;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cerver.Relay.Dashboard;

/// <summary>
/// The dashboard: the app at <c>/</c> for a browser signed in with a one-time link, its assets, the
/// link itself (minted for the local token's holder by <c>cerver-relay dashboard</c>), sign-out, and
/// the one thing the page reads that the API had no call for, the log's last lines.
/// </summary>
public static class DashboardEndpoints
{
    public const int DefaultLogLines = 200;
    public const int MaxLogLines = 2000;

    public static IServiceCollection AddDashboard(this IServiceCollection services) =>
        services.AddSingleton<LoginLinks>().AddSingleton<DashboardSessions>().AddSingleton<DashboardAssets>()
            .AddSingleton<ISignedInBrowser>(provider => provider.GetRequiredService<DashboardSessions>());

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/relay/dashboard/login-links", (HttpContext context, LoginLinks links, DaemonState state) =>
        {
            // A signed-in page may not mint links for itself: that would outlive its session.
            if (DashboardCookie.Session(context) is not null)
            {
                return ApiErrors.Result(StatusCodes.Status403Forbidden, "forbidden_scope", "Login links are for the local token's holder ('cerver-relay dashboard'), not for a dashboard page.");
            }

            var (code, expiresAt) = links.Issue();
            var origin = (state.Url ?? state.Settings.Value.LocalUrl).ToString().TrimEnd('/');
            return Results.Json(new LoginLinkResponse($"{origin}/dashboard/login?code={code}", expiresAt), DashboardJsonContext.Default.LoginLinkResponse);
        });

        endpoints.MapGet("/dashboard/login", (HttpContext context, LoginLinks links, DashboardSessions sessions) =>
        {
            if (!links.Redeem(context.Request.Query["code"].ToString()))
            {
                return DashboardPages.LinkRefused(context.Response);
            }

            var session = sessions.Start();
            context.Response.Cookies.Append(DashboardSessions.CookieName, session.Id, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Path = "/",
                // The daemon speaks plain HTTP on loopback; a Secure cookie would never come back.
                Secure = false,
            });
            return DashboardPages.SignedIn(context.Response);
        }).AllowAnonymous();

        endpoints.MapGet("/", (HttpContext context, DashboardSessions sessions, DashboardAssets assets, DaemonState state) =>
            sessions.Find(context.Request.Cookies[DashboardSessions.CookieName]) is { } session
                ? DashboardPages.App(context.Response, assets, session, state.Identity.Label)
                : DashboardPages.NotSignedIn(context.Response)).AllowAnonymous();

        // The assets are the same for everyone and hold nothing secret; the sign-in pages use the stylesheet too.
        endpoints.MapGet("/dashboard/assets/{name}", (string name, HttpContext context, DashboardAssets assets) =>
        {
            DashboardHeaders.Apply(context.Response, page: false);
            return assets.Find(name) is { } asset
                ? Results.Bytes(asset.Bytes, asset.ContentType)
                : ApiErrors.Result(StatusCodes.Status404NotFound, "not_found", $"The dashboard has no file '{name}'.");
        }).AllowAnonymous();

        endpoints.MapPost("/dashboard/logout", (HttpContext context, DashboardSessions sessions) =>
        {
            if (DashboardCookie.Session(context) is { } session)
            {
                sessions.End(session.Id);
            }

            context.Response.Cookies.Delete(DashboardSessions.CookieName, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
            return Results.NoContent();
        });

        endpoints.MapGet("/relay/logs", (HttpRequest request, DaemonState state) =>
        {
            var raw = request.Query["lines"].ToString();
            var count = DefaultLogLines;
            if (raw.Length > 0 && (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1 || count > MaxLogLines))
            {
                throw ComputeException.Invalid("lines", $"must be a whole number from 1 to {MaxLogLines}, not '{raw}'");
            }

            var folder = new LogFolder(state.Settings.Value.Paths.LogsDirectory);
            var end = folder.End();
            return Results.Json(new LogLinesResponse(end is null ? null : Path.GetFileName(end.File), folder.Tail(count, end)), DashboardJsonContext.Default.LogLinesResponse);
        });

        return endpoints;
    }
}
