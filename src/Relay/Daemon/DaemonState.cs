namespace Cerver.Relay.Daemon;

/// <summary>Facts about the running daemon that status reports.</summary>
public sealed class DaemonState(RelaySettingsSnapshot settings, RelayIdentity identity, TimeProvider time)
{
    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    public RelaySettingsSnapshot Settings { get; } = settings;

    public RelayIdentity Identity { get; } = identity;

    /// <summary>The URL the daemon is reached on, known once Kestrel has bound (port 0 picks one).</summary>
    public Uri? Url { get; set; }
}

/// <summary>The settings the daemon started with, as a service.</summary>
public sealed record RelaySettingsSnapshot(Configuration.RelaySettings Value);
