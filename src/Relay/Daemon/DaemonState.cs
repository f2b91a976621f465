namespace Cerver.Relay.Daemon;

/// <summary>Facts about the running daemon that status reports.</summary>
public sealed class DaemonState(RelaySettingsSnapshot settings, RelayIdentity identity, TimeProvider time)
{
    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    public RelaySettingsSnapshot Settings { get; } = settings;

    public RelayIdentity Identity { get; } = identity;

    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The URL the daemon is reached on, known once Kestrel has bound (port 0 picks one).</summary>
    public Uri? Url { get; private set; }

    /// <summary>
    /// Completes with <see cref="Url"/> once it is known. Waiting for ApplicationStarted is not
    /// enough: its callbacks run in reverse order of registration, so another may run first.
    /// </summary>
    public Task<Uri> Listening => _listening.Task;

    public void Listen(Uri url)
    {
        Url = url;
        _listening.TrySetResult(url);
    }
}

/// <summary>The settings the daemon started with, as a service.</summary>
public sealed record RelaySettingsSnapshot(Configuration.RelaySettings Value);
