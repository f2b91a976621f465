using Microsoft.AspNetCore.Http;

namespace Cerver.Relay.Dashboard;

/// <summary>The dashboard session a request was let in with, as the API guard attached it.</summary>
public static class DashboardCookie
{
    private static readonly object ItemKey = typeof(DashboardSession);

    public static void Attach(HttpContext context, DashboardSession session) => context.Items[ItemKey] = session;

    /// <summary>The session of a cookie-authenticated request, or null for a bearer (or anonymous) one.</summary>
    public static DashboardSession? Session(HttpContext context) =>
        context.Items.TryGetValue(ItemKey, out var value) ? value as DashboardSession : null;
}
