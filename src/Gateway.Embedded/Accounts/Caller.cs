using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Cerver.Gateway.Embedded.Accounts;

public enum CallerKind
{
    /// <summary>The machine's owner: the local token or the machine's own account key. Full access.</summary>
    Owner,

    /// <summary>Another relay, with a key this gateway issued: only the routes marked <see cref="RelayKeyAccess"/>.</summary>
    Relay,
}

/// <summary>
/// Who made a request, as the API guard established it. Endpoints take it as a parameter;
/// it is never absent behind the guard except on anonymous routes.
/// </summary>
public sealed record Caller(CallerKind Kind, string AccountId, string? KeyId = null, string? MachineName = null)
{
    private static readonly object ItemKey = typeof(Caller);

    public bool IsOwner => Kind == CallerKind.Owner;

    public string KindName => Kind == CallerKind.Owner ? "owner" : "relay";

    public void AttachTo(HttpContext context) => context.Items[ItemKey] = this;

    public static Caller? Of(HttpContext context) => context.Items.TryGetValue(ItemKey, out var value) ? value as Caller : null;

    /// <summary>Minimal-API binding: a handler that declares a <see cref="Caller"/> gets the guard's.</summary>
    public static ValueTask<Caller?> BindAsync(HttpContext context, ParameterInfo parameter) => ValueTask.FromResult(Of(context));
}

/// <summary>Endpoint metadata: a relay key (not only the owner) may call this route.</summary>
public sealed class RelayKeyAccess
{
    public static readonly RelayKeyAccess Instance = new();

    private RelayKeyAccess()
    {
    }
}

public static class RelayKeyAccessExtensions
{
    /// <summary>Opens the route to keys this gateway issued to other relays; every other route is the owner's alone.</summary>
    public static TBuilder AllowRelayKeys<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(RelayKeyAccess.Instance);
}

/// <summary>
/// Endpoint metadata: the key may come as the <c>token</c> query parameter when no bearer header
/// does. Only for the connect channel, whose observed clients send it that way (a WebSocket
/// opened by some clients cannot set headers); everywhere else a key in a URL is refused.
/// </summary>
public sealed class QueryTokenAccess
{
    public static readonly QueryTokenAccess Instance = new();

    private QueryTokenAccess()
    {
    }
}

public static class QueryTokenAccessExtensions
{
    public static TBuilder AllowQueryToken<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(QueryTokenAccess.Instance);
}
