using System.Net;
using Microsoft.AspNetCore.Http;

namespace Cerver.Relay.Dashboard;

/// <summary>The dashboard's HTML: the app for a signed-in browser, and the one-sentence pages around signing in.</summary>
public static class DashboardPages
{
    public const string SignInHint = "run <code>cerver-relay dashboard</code> on this machine for a sign-in link";

    public static IResult App(HttpResponse response, DashboardAssets assets, DashboardSession session, string machine)
    {
        var html = assets.Text("index.html")
            .Replace("{{csrf}}", WebUtility.HtmlEncode(session.CsrfToken), StringComparison.Ordinal)
            .Replace("{{machine}}", WebUtility.HtmlEncode(machine), StringComparison.Ordinal);
        return Html(response, html, StatusCodes.Status200OK);
    }

    /// <summary>After a good login link: on to the app by a navigation of this page, which replaces the link's entry in the history.</summary>
    public static IResult SignedIn(HttpResponse response) => Html(response, Short("Signed in",
        """<p>Signed in. Opening <a href="/">the dashboard</a>…</p><script type="module" src="/dashboard/assets/signed-in.js"></script>"""),
        StatusCodes.Status200OK);

    public static IResult LinkRefused(HttpResponse response) => Html(response, Short("Sign-in link refused",
        $"<p>This sign-in link is expired, already used or unknown: {SignInHint}.</p>"), StatusCodes.Status401Unauthorized);

    public static IResult NotSignedIn(HttpResponse response) => Html(response, Short("Sign in",
        $"<p>You are not signed in to this relay's dashboard: {SignInHint}.</p>"), StatusCodes.Status401Unauthorized);

    private static string Short(string title, string body) => $"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="/dashboard/assets/app.css">
        <title>{title} – cerver-relay</title>
        </head>
        <body class="short">
        <main class="card notice"><h1>cerver-relay</h1>{body}</main>
        </body>
        </html>
        """;

    private static IResult Html(HttpResponse response, string html, int status)
    {
        DashboardHeaders.Apply(response, page: true);
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }
}
