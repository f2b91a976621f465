namespace Cerver.Relay.Link;

public static class GatewayConnectionState
{
    /// <summary>Started with <c>--offline</c>: no gateway is contacted.</summary>
    public const string Offline = "offline";

    /// <summary>No account key: <c>cerver-relay login</c> first.</summary>
    public const string NotLoggedIn = "not_logged_in";

    /// <summary>The configured gateway is this very daemon.</summary>
    public const string IsGateway = "is_gateway";

    public const string Registering = "registering";
    public const string Registered = "registered";

    /// <summary>Registration or the last heartbeat failed; retried with backoff.</summary>
    public const string Failing = "failing";
}

/// <summary>What the link needs to dial the gateway once this relay is registered.</summary>
public sealed record GatewayRegistration(Uri GatewayUrl, string ApiKey, string ComputeId, string AccountId, string? KeyId);

/// <summary>The connection to the gateway as <c>status</c> shows it; never holds the key.</summary>
public sealed record GatewayConnectionSnapshot(
    string State,
    Uri? GatewayUrl,
    string? AccountId,
    string? KeyId,
    string? ComputeId,
    DateTimeOffset? RegisteredAt,
    DateTimeOffset? LastHeartbeatAt,
    string? LastError,
    DateTimeOffset? LastErrorAt);

/// <summary>
/// This relay's standing with its gateway, kept by <see cref="GatewayRegistrationService"/>
/// and read by <c>status</c> and the dispatch link.
/// </summary>
public sealed class GatewayConnection
{
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource<GatewayRegistration> _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private GatewayConnectionSnapshot _snapshot = new(GatewayConnectionState.Registering, null, null, null, null, null, null, null, null);
    private GatewayRegistration? _registration;

    /// <summary>The latest registration this daemon made, if any; kept while the gateway is failing.</summary>
    public GatewayRegistration? Registration
    {
        get
        {
            lock (_lock)
            {
                return _registration;
            }
        }
    }

    public GatewayConnectionSnapshot Current
    {
        get
        {
            lock (_lock)
            {
                return _snapshot;
            }
        }
    }

    /// <summary>
    /// Completes when this relay is registered with its gateway (at once when it already is).
    /// Never completes in a daemon that does not register (offline, not logged in): pass a token.
    /// </summary>
    public Task<GatewayRegistration> WhenRegisteredAsync(CancellationToken cancellationToken) => _registered.Task.WaitAsync(cancellationToken);

    internal void Disabled(string state, Uri? gateway) => Update(current => current with { State = state, GatewayUrl = gateway });

    /// <summary>The key was taken away: nothing to unregister with any more, and nothing to register.</summary>
    internal void LoggedOut(Uri gateway)
    {
        lock (_lock)
        {
            _registration = null;
        }

        Disabled(GatewayConnectionState.NotLoggedIn, gateway);
    }

    internal void Registering(Uri gateway) => Update(current => current with { State = GatewayConnectionState.Registering, GatewayUrl = gateway });

    internal void Registered(GatewayRegistration registration, DateTimeOffset at)
    {
        lock (_lock)
        {
            _registration = registration;
        }

        Update(current => current with
        {
            State = GatewayConnectionState.Registered,
            GatewayUrl = registration.GatewayUrl,
            AccountId = registration.AccountId,
            KeyId = registration.KeyId,
            ComputeId = registration.ComputeId,
            RegisteredAt = at,
            LastHeartbeatAt = at,
            LastError = null,
        });
        _registered.TrySetResult(registration);
    }

    internal void Heartbeat(DateTimeOffset at) => Update(current => current with { State = GatewayConnectionState.Registered, LastHeartbeatAt = at, LastError = null });

    internal void Failed(string error, DateTimeOffset at) => Update(current => current with { State = GatewayConnectionState.Failing, LastError = error, LastErrorAt = at });

    private void Update(Func<GatewayConnectionSnapshot, GatewayConnectionSnapshot> change)
    {
        lock (_lock)
        {
            _snapshot = change(_snapshot);
        }
    }
}
