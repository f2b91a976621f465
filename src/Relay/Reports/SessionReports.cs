using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Provider;
using Cerver.Gateway.Embedded.Sessions.Wire;
using Cerver.Relay.Compute.Storage;
using Cerver.Relay.Link;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cerver.Relay.Reports;

/// <summary>How the reports to the gateway stand, for <c>status</c>: what waits, what went, what was refused for good and why.</summary>
public sealed record SessionReportsSnapshot(
    int Sessions,
    long Pending,
    long Delivered,
    long Dropped,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    string? LastDropped,
    DateTimeOffset? LastDroppedAt,
    bool KeyRefused);

/// <summary>
/// The reports of provider sandboxes' agents to their Cerver sessions on the gateway this relay is
/// registered with (SPEC 11). Each report is written to its session's <see cref="SessionOutbox"/>
/// before the turn goes on, and a pump per session pushes them in order: entries in batches,
/// metadata and status as they come between them. A gateway that cannot take them now is retried
/// with capped, jittered backoff (its <c>Retry-After</c> when it gives one) for as long as it takes,
/// across restarts; a refusal for good drops what it refused, counted and logged once; a refused key
/// stops every push, keeping the reports, until the registration has another key. A relay that
/// reports to no gateway (offline, not logged in, its own gateway) keeps nothing.
/// </summary>
public sealed partial class SessionReports : ISessionReports, IHostedService, IAsyncDisposable
{
    public const int MaxBatchEntries = 100;
    public const int MaxBatchBytes = 512 * 1024;

    /// <summary>The longest wait a gateway's <c>Retry-After</c> gets: one that asks for more is asked again then.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(10);

    /// <summary>How often a relay whose key was refused, or that is logged out, looks for a new registration.</summary>
    public static readonly TimeSpan RegistrationRecheck = TimeSpan.FromMinutes(1);

    private readonly string _directory;
    private readonly SessionReportClient _client;
    private readonly GatewayConnection _connection;
    private readonly ReconnectBackoff _backoff;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionReports> _logger;
    private readonly ConcurrentDictionary<string, SessionOutbox> _outboxes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _refusedSessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _pumps = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private long _delivered;
    private long _dropped;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;
    private string? _lastDropped;
    private DateTimeOffset? _lastDroppedAt;
    private string? _refusedKey;
    private int _disposed;

    public SessionReports(string directory, SessionReportClient client, GatewayConnection connection, ReconnectBackoff backoff, TimeProvider time, ILogger<SessionReports> logger)
    {
        _directory = directory;
        _client = client;
        _connection = connection;
        _backoff = backoff;
        _time = time;
        _logger = logger;
    }

    public SessionReportsSnapshot Snapshot
    {
        get
        {
            lock (_lock)
            {
                var waiting = _outboxes.Values.Where(outbox => outbox.Pending > 0).ToList();
                return new SessionReportsSnapshot(waiting.Count, waiting.Sum(outbox => (long)outbox.Pending), _delivered, _dropped,
                    _lastError, _lastErrorAt, _lastDropped, _lastDroppedAt, _refusedKey is not null && _refusedKey == _connection.Registration?.ApiKey);
            }
        }
    }

    public void Entry(string sessionId, AppendedEntry entry) => Write(sessionId, new OutboxItem { Kind = OutboxItemKind.Entry, Entry = entry });

    public void Metadata(string sessionId, JsonObject metadata) => Write(sessionId, new OutboxItem { Kind = OutboxItemKind.Metadata, Metadata = metadata });

    public void Status(string sessionId, string status, string? endReason) =>
        Write(sessionId, new OutboxItem { Kind = OutboxItemKind.Status, Status = status, EndReason = endReason });

    /// <summary>Takes up the outboxes an earlier run left with reports in them.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Directory.Exists(_directory))
        {
            foreach (var file in Directory.EnumerateFiles(_directory, "*" + SessionOutbox.FileExtension))
            {
                var sessionId = Path.GetFileNameWithoutExtension(file);
                try
                {
                    if (SessionOutbox.IsStorable(sessionId) && OutboxOf(sessionId).ClaimPump())
                    {
                        StartPump(OutboxOf(sessionId));
                    }
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    // Left on disk for a later start; the daemon serves without it.
                    Failed($"cannot read the outbox {file}: {exception.Message}");
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops pushing; what was not acknowledged stays on disk for the next start.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_pumps.Keys).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Once, though the container reaches this instance through three registrations.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await StopAsync(CancellationToken.None);
        _stop.Dispose();
    }

    /// <summary>Reporting needs a gateway: a relay that will not register with one keeps nothing.</summary>
    private bool ReportsNowhere => _connection.Current.State is GatewayConnectionState.Offline or GatewayConnectionState.NotLoggedIn or GatewayConnectionState.IsGateway;

    private void Write(string sessionId, OutboxItem item)
    {
        if (ReportsNowhere)
        {
            return;
        }

        if (!SessionOutbox.IsStorable(sessionId))
        {
            Drop(1, $"session id '{sessionId}' cannot name an outbox (letters, digits, '_', '-', '.'; at most 128)");
            return;
        }

        if (_refusedSessions.ContainsKey(sessionId))
        {
            // The gateway refused this session for good and that was logged once: the rest of its turn is counted, not sent.
            Drop(1, null);
            return;
        }

        try
        {
            FilePermissions.CreatePrivateDirectory(_directory);
            var outbox = OutboxOf(sessionId);
            if (outbox.Append(item))
            {
                StartPump(outbox);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A full or read-only disk must not break the agent's turn; the report is lost, and says so.
            Drop(1, $"could not write the outbox of session {sessionId}: {exception.Message}");
        }
    }

    private SessionOutbox OutboxOf(string sessionId) => _outboxes.GetOrAdd(sessionId, id => SessionOutbox.Open(_directory, id));

    private void StartPump(SessionOutbox outbox)
    {
        var pump = Task.Run(() => PumpAsync(outbox), CancellationToken.None);
        _pumps.TryAdd(pump, 0);
        pump.ContinueWith(done =>
        {
            _pumps.TryRemove(done, out _);
            if (done.Exception is { } failure)
            {
                LogPumpFailed(outbox.SessionId, failure);
            }
        }, TaskScheduler.Default);
    }

    private async Task PumpAsync(SessionOutbox outbox)
    {
        var failures = 0;
        // After a batch refused for its content, its entries go one by one, so only the one refused is dropped.
        var singly = 0;
        var stopping = _stop.Token;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var batch = outbox.Next(singly > 0 ? 1 : MaxBatchEntries, MaxBatchBytes);
                if (batch is null)
                {
                    if (outbox.TryStopPumping())
                    {
                        return;
                    }

                    continue;
                }

                if (batch.Unreadable > 0)
                {
                    Drop(batch.Unreadable, $"{batch.Unreadable} unreadable line(s) in the outbox of session {outbox.SessionId}");
                }

                if (batch.Items.Count == 0)
                {
                    outbox.Acknowledge(batch);
                    continue;
                }

                var gateway = await RegistrationAsync(stopping);
                var outcome = await _client.PushAsync(gateway, outbox.SessionId, batch, stopping);
                switch (outcome.Result)
                {
                    case PushResult.Delivered:
                        outbox.Acknowledge(batch);
                        failures = 0;
                        singly = Math.Max(0, singly - 1);
                        Delivered(batch.Items.Count);
                        break;
                    case PushResult.SessionRefused:
                        _refusedSessions.TryAdd(outbox.SessionId, 0);
                        Drop(outbox.DropAll(), $"session {outbox.SessionId}: {outcome.Error}");
                        break;
                    case PushResult.Refused when batch.Items.Count > 1:
                        singly = batch.Items.Count;
                        break;
                    case PushResult.Refused:
                        outbox.Acknowledge(batch);
                        singly = Math.Max(0, singly - 1);
                        Drop(1, $"session {outbox.SessionId}: {outcome.Error}");
                        break;
                    case PushResult.KeyRefused:
                        KeyRefused(gateway, outcome.Error!);
                        break;
                    default:
                        // One line per outage, not one per attempt; status shows the latest.
                        Failed(outcome.Error!, log: failures == 0);
                        var delay = outcome.RetryAfter is { } asked ? TimeSpan.FromTicks(Math.Clamp(asked.Ticks, 0, MaxRetryAfter.Ticks)) : _backoff.Delay(failures);
                        failures++;
                        await Task.Delay(delay, _time, stopping);
                        break;
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // The outbox could not be read or its progress kept: nothing is lost, it is tried again.
                Failed($"outbox of session {outbox.SessionId}: {exception.Message}");
                await Task.Delay(_backoff.Delay(failures++), _time, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>The registration to push with: one whose key the gateway has not refused, waiting for it as long as it takes.</summary>
    private async Task<GatewayRegistration> RegistrationAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var registration = _connection.Registration;
            if (registration is not null && registration.ApiKey != _refusedKey)
            {
                return registration;
            }

            var registered = _connection.WhenRegisteredAsync(cancellationToken);
            await (registered.IsCompleted ? Task.Delay(RegistrationRecheck, _time, cancellationToken) : registered);
        }
    }

    private void Delivered(int count)
    {
        lock (_lock)
        {
            _delivered += count;
        }
    }

    private void Failed(string error, bool log = true)
    {
        lock (_lock)
        {
            _lastError = error;
            _lastErrorAt = _time.GetUtcNow();
        }

        if (log)
        {
            LogPushFailed(error);
        }
    }

    private void KeyRefused(GatewayRegistration gateway, string error)
    {
        lock (_lock)
        {
            if (_refusedKey == gateway.ApiKey)
            {
                return;
            }

            _refusedKey = gateway.ApiKey;
            _lastError = error;
            _lastErrorAt = _time.GetUtcNow();
        }

        LogKeyRefused(gateway.GatewayUrl, error);
    }

    /// <summary>Counts reports that will never reach the gateway; <paramref name="reason"/> is logged and shown, or null for the quiet rest of a refused session.</summary>
    private void Drop(int count, string? reason)
    {
        lock (_lock)
        {
            _dropped += count;
            if (reason is not null)
            {
                _lastDropped = reason;
                _lastDroppedAt = _time.GetUtcNow();
            }
        }

        if (reason is not null)
        {
            LogDropped(count, reason);
        }
    }

    [LoggerMessage(LogLevel.Error, "The reports of session {SessionId} stopped; they stay on disk and are sent after a restart")]
    private partial void LogPumpFailed(string sessionId, Exception exception);

    [LoggerMessage(LogLevel.Warning, "Session reports not delivered, retrying with backoff until the gateway takes them: {Error}")]
    private partial void LogPushFailed(string error);

    [LoggerMessage(LogLevel.Error, "The gateway {Gateway} refused this relay's key for session reports: {Error}. They are kept and sent once the relay registers with a valid key ('cerver-relay login --force').")]
    private partial void LogKeyRefused(Uri gateway, string error);

    [LoggerMessage(LogLevel.Error, "Dropped {Count} session report(s) the gateway will never take: {Reason}")]
    private partial void LogDropped(int count, string reason);
}
