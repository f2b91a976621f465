using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Compute.Files;
using Cerver.Relay.Compute.Isolation;
using Cerver.Relay.Compute.Limits;
using Cerver.Relay.Compute.Processes;
using Cerver.Relay.Compute.Runtimes;
using Cerver.Relay.Compute.Storage;
using CliWrap;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cerver.Relay.Compute.Sandboxes;

/// <summary>The compute contract on this machine: sandboxes are workspaces, runs are isolated processes.</summary>
public sealed partial class LocalCompute : ICompute
{
    private readonly ComputeOptions _options;
    private readonly SandboxStore _store;
    private readonly IIsolationBackend _isolation;
    private readonly ProcessRunner _runner;
    private readonly RuntimeLocator _runtimes;
    private readonly RunGate _gate;
    private readonly WorkspaceQuota _quota;
    private readonly LimitEnforcement _limits;
    private readonly AgentServices _agents;
    private readonly TimeProvider _time;
    private readonly ILogger<LocalCompute> _logger;
    private readonly Lock _createLock = new();
    private readonly RunHistory _history;

    // Sandbox variables may carry app secrets, which the relay never writes to disk: they live
    // here and are gone after a restart (documented in the README).
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> _sandboxEnv = new(StringComparer.Ordinal);

    public LocalCompute(
        IOptions<ComputeOptions> options,
        SandboxStore store,
        IIsolationBackend isolation,
        ProcessRunner runner,
        RuntimeLocator runtimes,
        RunGate gate,
        WorkspaceQuota quota,
        LimitEnforcement limits,
        AgentServices agents,
        TimeProvider time,
        ILogger<LocalCompute> logger)
    {
        _options = options.Value;
        _store = store;
        _isolation = isolation;
        _runner = runner;
        _runtimes = runtimes;
        _gate = gate;
        _quota = quota;
        _limits = limits;
        _agents = agents;
        _time = time;
        _history = new RunHistory(time);
        _logger = logger;
    }

    public string ComputeId => _options.ComputeId;

    public string IsolationName => _isolation.Name;

    /// <summary>Why nothing runs here, with the fix; null when sandboxes can be made.</summary>
    public string? IsolationRefusal => _isolation.Refusal;

    public RunGate Gate => _gate;

    public async Task<SandboxRecord> CreateSandboxAsync(CreateSandboxRequest request, CancellationToken cancellationToken)
    {
        if (_isolation.Refusal is { } refusal)
        {
            throw UnavailableIsolationBackend.Refused(refusal);
        }

        var runtime = LanguageCommand.Normalize(request.Runtime, "runtime");
        var minutes = request.TimeoutMinutes ?? _options.DefaultSandboxMinutes;
        if (minutes < 1 || minutes > _options.MaxSandboxMinutes)
        {
            throw ComputeException.Invalid("timeout_minutes", $"must be between 1 and {_options.MaxSandboxMinutes}");
        }

        foreach (var (name, value) in request.Env ?? [])
        {
            SandboxEnvironmentBuilder.Validate(name, value, "env");
        }

        LanguageCommand.Require(await _runtimes.GetAsync(), runtime == "shell" ? "sh" : runtime, request.Runtime);

        lock (_createLock)
        {
            if (_store.CountLive() >= _options.MaxSandboxes)
            {
                throw new ComputeException(ComputeErrorKind.Busy, "sandbox_limit",
                    $"This compute already holds {_options.MaxSandboxes} sandboxes; delete one or wait for one to expire.");
            }

            var now = _time.GetUtcNow();
            var record = new SandboxRecord
            {
                SandboxId = SandboxIds.New(),
                ComputeId = _options.ComputeId,
                Status = "ready",
                Runtime = runtime,
                Isolation = _isolation.Name,
                Network = request.Network ?? false,
                CreatedAt = now,
                ExpiresAt = now.AddMinutes(minutes),
                Metadata = request.Metadata ?? [],
                Limits = _limits.Describe(),
            };

            var workspace = WorkspaceOf(record.SandboxId);
            FilePermissions.CreatePrivateDirectory(workspace);
            if (_isolation.UserFor(record.SandboxId) is { } user)
            {
                SandboxOwnership.Give(workspace, user);
            }
            if (_isolation.TemporaryDirectoryFor(workspace).HostPath is { } temporary)
            {
                FilePermissions.CreatePrivateDirectory(temporary);
            }

            if (request.Env is { Count: > 0 })
            {
                _sandboxEnv[record.SandboxId] = new Dictionary<string, string>(request.Env, StringComparer.Ordinal);
            }

            _store.Insert(record);
            LogCreated(record.SandboxId, record.Runtime, record.Isolation, record.Network);
            return record;
        }
    }

    public Task<SandboxRecord> GetSandboxAsync(string sandboxId, CancellationToken cancellationToken) =>
        Task.FromResult(WithLiveStatus(Find(sandboxId)));

    public Task<IReadOnlyList<SandboxRecord>> ListSandboxesAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SandboxRecord>>([.. _store.ListLive().Select(WithLiveStatus)]);

    public async Task<RunResult> RunSandboxAsync(string sandboxId, RunRequest request, CancellationToken cancellationToken)
    {
        var record = Find(sandboxId);
        var (spec, timeout) = await PrepareRunAsync(record, request);
        return await RunBufferedAsync(record, spec, request.Stdin, timeout, new RunWhat(RunKind.Run, request.Code), cancellationToken);
    }

    /// <summary>Checks the sandbox and the request before the first event, so bad input is an error, not a broken stream.</summary>
    public async IAsyncEnumerable<RunStreamEvent> RunSandboxStreamAsync(string sandboxId, RunRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var record = Find(sandboxId);
        var (spec, timeout) = await PrepareRunAsync(record, request);
        yield return new RunAcceptedEvent();
        await foreach (var item in StreamAsync(record, spec, timeout, request.Stdin, new RunWhat(RunKind.Stream, request.Code), cancellationToken))
        {
            yield return item;
        }
    }

    /// <summary>The sandbox's latest runs, newest first (in memory: see <see cref="RunHistory"/>).</summary>
    public SandboxRunList RecentRuns(string sandboxId) => new(Find(sandboxId).SandboxId, _history.Of(sandboxId));

    public Task<WriteFileResult> WriteFileAsync(string sandboxId, WriteFileRequest request, CancellationToken cancellationToken)
    {
        var record = Find(sandboxId);
        _quota.EnsureRoomFor(WorkspaceOf(record.SandboxId), request);
        return FilesOf(record).WriteAsync(request, cancellationToken);
    }

    public Task<ReadFileResult> ReadFileAsync(string sandboxId, string path, FileEncoding encoding, CancellationToken cancellationToken) =>
        FilesOf(Find(sandboxId)).ReadAsync(path, encoding, cancellationToken);

    public Task<SandboxState> GetStateAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var record = Find(sandboxId);
        var (state, updatedAt) = _store.ReadState(record.SandboxId) ?? throw ComputeException.SandboxNotFound(sandboxId);
        return Task.FromResult(new SandboxState(record.SandboxId, WithLiveStatus(record).Status, state, updatedAt));
    }

    public Task<SandboxState> SetStateAsync(string sandboxId, JsonObject state, CancellationToken cancellationToken)
    {
        var record = Find(sandboxId);
        var now = _time.GetUtcNow();
        if (!_store.WriteState(record.SandboxId, state, now))
        {
            throw ComputeException.SandboxNotFound(sandboxId);
        }

        return Task.FromResult(new SandboxState(record.SandboxId, WithLiveStatus(record).Status, state, now));
    }

    public Task<DeleteSandboxResult> DeleteSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var record = Find(sandboxId);
        Terminate(record.SandboxId, RunCancelReason.SandboxDeleted);
        LogDeleted(record.SandboxId);
        return Task.FromResult(new DeleteSandboxResult(record.SandboxId, "terminated"));
    }

    /// <summary>Deletes every sandbox past its <c>expires_at</c>; returns how many.</summary>
    public int DeleteExpired()
    {
        var expired = _store.ListExpired(_time.GetUtcNow());
        foreach (var record in expired)
        {
            Terminate(record.SandboxId, RunCancelReason.SandboxDeleted);
            LogExpired(record.SandboxId);
        }

        return expired.Count;
    }

    /// <summary>
    /// At start-up no run is alive: kills processes left by a crashed daemon, deletes expired
    /// sandboxes, workspaces without a live record, and records whose workspace is gone.
    /// </summary>
    public void CleanUpAfterRestart()
    {
        FilePermissions.CreatePrivateDirectory(_options.SandboxesDirectory);
        var live = _store.ListLive().ToDictionary(record => record.SandboxId, StringComparer.Ordinal);
        var reaped = SandboxProcessReaper.KillSandboxProcesses(live.Keys.ToHashSet(StringComparer.Ordinal));
        foreach (var directory in Directory.EnumerateDirectories(_options.SandboxesDirectory))
        {
            var name = Path.GetFileName(directory);
            // A workspace's companions (its temporary folder, its agents' state) live and die with it.
            var id = name.EndsWith(".tmp", StringComparison.Ordinal) || name.EndsWith(".agent", StringComparison.Ordinal) ? Path.GetFileNameWithoutExtension(name) : name;
            if (!live.ContainsKey(id))
            {
                DeleteDirectory(directory);
            }
        }

        foreach (var record in live.Values.Where(record => !Directory.Exists(WorkspaceOf(record.SandboxId))))
        {
            _store.MarkTerminated(record.SandboxId);
        }

        var expired = DeleteExpired();
        var temporaries = _store.ListLive().Sum(record => WorkspaceTemporaries.DeleteLeftovers(WorkspaceOf(record.SandboxId)));
        LogCleanedUp(reaped, expired, temporaries);
    }

    public string WorkspaceOf(string sandboxId) => Path.Combine(_options.SandboxesDirectory, sandboxId);

    private void Terminate(string sandboxId, RunCancelReason reason)
    {
        _gate.CancelSandbox(sandboxId, reason);
        _store.MarkTerminated(sandboxId);
        _sandboxEnv.TryRemove(sandboxId, out _);
        _history.Forget(sandboxId);
        if (_isolation is not BubblewrapBackend)
        {
            // Without a PID namespace a process may have left its run's group; bubblewrap's die with the run.
            SandboxProcessReaper.KillSandboxProcesses(new HashSet<string>(StringComparer.Ordinal) { sandboxId });
        }

        var workspace = WorkspaceOf(sandboxId);
        DeleteDirectory(workspace);
        if (_isolation.TemporaryDirectoryFor(workspace).HostPath is { } temporary)
        {
            DeleteDirectory(temporary);
        }

        DeleteDirectory(AgentStateOf(sandboxId));
    }

    private async IAsyncEnumerable<RunStreamEvent> StreamAsync(
        SandboxRecord record,
        ProcessSpec spec,
        TimeSpan timeout,
        string? stdin,
        RunWhat what,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<RunStreamEvent>(new BoundedChannelOptions(256) { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(async () =>
        {
            try
            {
                var outcome = await ExecuteAsync(record, spec, stdin, timeout,
                    new StreamingTarget(OutputKind.Stdout, channel.Writer), new StreamingTarget(OutputKind.Stderr, channel.Writer), what, stop.Token);
                if (outcome.StopReason is { } reason)
                {
                    await channel.Writer.WriteAsync(new RunOutputEvent(OutputKind.Stderr, reason + "\n"), stop.Token);
                }

                await channel.Writer.WriteAsync(new RunExitEvent(outcome.ExitCode, (long)outcome.Duration.TotalMilliseconds, outcome.TimedOut), stop.Token);
                channel.Writer.Complete();
            }
            catch (Exception exception)
            {
                channel.Writer.Complete(exception);
            }
        }, CancellationToken.None);

        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return item;
            }
        }
        finally
        {
            // A reader that leaves early (a client that disconnected) must not leave the process running.
            await stop.CancelAsync();
            await producer;
        }
    }

    private async Task<RunResult> RunBufferedAsync(SandboxRecord record, ProcessSpec spec, string? stdin, TimeSpan timeout, RunWhat what, CancellationToken cancellationToken)
    {
        var stdout = new CappedTextTarget(_options.OutputCapBytes);
        var stderr = new CappedTextTarget(_options.OutputCapBytes);
        var outcome = await ExecuteAsync(record, spec, stdin, timeout, stdout, stderr, what, cancellationToken);
        return new RunResult
        {
            SandboxId = record.SandboxId,
            ExitCode = outcome.ExitCode,
            Stdout = stdout.Text,
            Stderr = outcome.StopReason is { } reason ? $"{stderr.Text}{reason}\n" : stderr.Text,
            DurationMs = (long)outcome.Duration.TotalMilliseconds,
            TimedOut = outcome.TimedOut,
            Truncated = stdout.Truncated || stderr.Truncated,
        };
    }

    private async Task<ProcessOutcome> ExecuteAsync(
        SandboxRecord record,
        ProcessSpec spec,
        string? stdin,
        TimeSpan timeout,
        PipeTarget stdout,
        PipeTarget stderr,
        RunWhat what,
        CancellationToken cancellationToken)
    {
        using var lease = _gate.Enter(record.SandboxId, cancellationToken);
        var workspace = WorkspaceOf(record.SandboxId);
        using var watch = _quota.Watch(workspace, lease.Token);
        var started = _time.GetTimestamp();
        var run = _history.Start(record.SandboxId, what.Kind, what.Code);
        LogRunStarted(record.SandboxId, (int)timeout.TotalSeconds);
        try
        {
            var outcome = await _runner.RunAsync(spec, stdin, timeout, stdout, stderr, watch.Token);
            LogRunEnded(record.SandboxId, outcome.ExitCode, (long)outcome.Duration.TotalMilliseconds, outcome.TimedOut);
            run.Finish(outcome.ExitCode, outcome.Duration, outcome.TimedOut, stopReason: null);
            return outcome;
        }
        catch (OperationCanceledException) when (lease.StopError is { } stopped)
        {
            LogRunStopped(record.SandboxId, stopped.Code);
            run.Finish(ProcessOutcome.KilledExitCode, _time.GetElapsedTime(started), timedOut: false, stopped.Code);
            throw stopped;
        }
        catch (OperationCanceledException) when (watch.StopReason is { } reason)
        {
            LogRunStopped(record.SandboxId, "workspace_full");
            run.Finish(ProcessOutcome.KilledExitCode, _time.GetElapsedTime(started), timedOut: false, "workspace_full");
            return new ProcessOutcome(ProcessOutcome.KilledExitCode, _time.GetElapsedTime(started), TimedOut: false) { StopReason = reason };
        }
        catch (Exception exception)
        {
            // A caller that hung up (or a runner that failed) still ends the entry, so none stays "running".
            run.Finish(ProcessOutcome.KilledExitCode, _time.GetElapsedTime(started), timedOut: false, exception is OperationCanceledException ? "cancelled" : "failed");
            throw;
        }
        finally
        {
            _quota.AfterRun(workspace);
        }
    }

    private async Task<(ProcessSpec Spec, TimeSpan Timeout)> PrepareRunAsync(SandboxRecord record, RunRequest request)
    {
        if (string.IsNullOrEmpty(request.Code))
        {
            throw ComputeException.Invalid("code", "is required");
        }

        var seconds = request.Timeout ?? _options.DefaultRunTimeoutSeconds;
        if (!double.IsFinite(seconds) || seconds <= 0 || seconds > _options.MaxRunTimeoutSeconds)
        {
            throw ComputeException.Invalid("timeout", $"must be a number of seconds above 0 and at most {_options.MaxRunTimeoutSeconds}");
        }

        var workspace = WorkspaceOf(record.SandboxId);
        var cwd = request.Cwd is null or "" or "." ? workspace : WorkspacePath.ResolveDirectory(workspace, request.Cwd, "cwd");

        var (fileName, arguments) = LanguageCommand.For(request.Language, request.Code, workspace, await _runtimes.GetAsync());
        return (await BuildSpecAsync(record, fileName, arguments, cwd, request.Env, record.Network), TimeSpan.FromSeconds(seconds));
    }

    private async Task<ProcessSpec> BuildSpecAsync(SandboxRecord record, string fileName, IEnumerable<string> arguments, string cwd, IReadOnlyDictionary<string, string>? runEnv, bool network,
        IReadOnlyList<string>? writablePaths = null, IReadOnlyList<string>? readOnlyPaths = null)
    {
        var runtimes = await _runtimes.GetAsync();
        var workspace = WorkspaceOf(record.SandboxId);
        var temporary = _isolation.TemporaryDirectoryFor(workspace).SeenAs;
        var environment = EnvironmentFor(record.SandboxId, workspace, temporary, runtimes);
        environment.AddVariables(_sandboxEnv.GetValueOrDefault(record.SandboxId), "env").AddVariables(runEnv, "env");
        var spec = new ProcessSpec(fileName, arguments, cwd, environment.Build());
        var boundary = BoundaryFor(record, cwd, network, runtimes);
        return _isolation.Wrap(spec, boundary with
        {
            WritablePaths = writablePaths ?? [],
            ReadOnlyPaths = [.. boundary.ReadOnlyPaths, .. readOnlyPaths ?? []],
        });
    }

    private static SandboxEnvironmentBuilder EnvironmentFor(string sandboxId, string home, string temporary, IReadOnlyDictionary<string, RuntimeInfo> runtimes)
    {
        var environment = new SandboxEnvironmentBuilder(sandboxId, home, temporary);
        foreach (var runtime in runtimes.Values)
        {
            environment.AddPathEntry(runtime.BinDirectory);
        }

        return environment;
    }

    private SandboxBoundary BoundaryFor(SandboxRecord record, string cwd, bool network, IReadOnlyDictionary<string, RuntimeInfo> runtimes)
    {
        var workspace = WorkspaceOf(record.SandboxId);
        return new SandboxBoundary(
            workspace,
            cwd,
            _isolation.TemporaryDirectoryFor(workspace).SeenAs,
            network,
            HiddenPaths(),
            [.. runtimes.Values.SelectMany(runtime => runtime.InstallRoots)])
        {
            Limits = _options.Limits,
            User = _isolation.UserFor(record.SandboxId),
        };
    }

    private List<string> HiddenPaths()
    {
        var cerverHome = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(_options.RelayDirectory))!;
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var candidates = new List<string> { home, cerverHome, "/home", "/root", "/run/user", "/var/tmp" };
        candidates.AddRange(_options.HiddenPaths);
        return [.. candidates.Where(path => path.Length > 1 && Directory.Exists(path)).Distinct(StringComparer.Ordinal)];
    }

    private SandboxRecord Find(string sandboxId) =>
        SandboxIds.IsWellFormed(sandboxId) && _store.Find(sandboxId) is { } record
            ? record
            : throw ComputeException.SandboxNotFound(sandboxId);

    private SandboxRecord WithLiveStatus(SandboxRecord record) =>
        record with { Status = _gate.ActiveFor(record.SandboxId) > 0 ? "running" : record.Status, Limits = _limits.Describe() };

    private WorkspaceFiles FilesOf(SandboxRecord record) => new(WorkspaceOf(record.SandboxId), _options.MaxFileBytes, _isolation.UserFor(record.SandboxId));

    /// <summary>Deletes a sandbox's folder; anything outside the sandboxes directory is never touched.</summary>
    private void DeleteDirectory(string path)
    {
        if (!WorkspacePath.IsInside(_options.SandboxesDirectory, path) || Path.GetFullPath(path) == Path.GetFullPath(_options.SandboxesDirectory))
        {
            LogDeleteRefused(path);
            return;
        }

        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            LogDeleteFailed(path, exception.Message);
        }
    }

    [LoggerMessage(LogLevel.Information, "Created sandbox {SandboxId} (runtime {Runtime}, isolation {Isolation}, network {Network})")]
    private partial void LogCreated(string sandboxId, string runtime, string isolation, bool network);

    [LoggerMessage(LogLevel.Information, "Deleted expired sandbox {SandboxId}")]
    private partial void LogExpired(string sandboxId);

    [LoggerMessage(LogLevel.Information, "Deleted sandbox {SandboxId}")]
    private partial void LogDeleted(string sandboxId);

    [LoggerMessage(LogLevel.Information, "Sandbox {SandboxId}: run started (timeout {TimeoutSeconds} s)")]
    private partial void LogRunStarted(string sandboxId, int timeoutSeconds);

    [LoggerMessage(LogLevel.Information, "Sandbox {SandboxId}: run ended with exit code {ExitCode} after {DurationMs} ms (timed out: {TimedOut})")]
    private partial void LogRunEnded(string sandboxId, int exitCode, long durationMs, bool timedOut);

    [LoggerMessage(LogLevel.Information, "Sandbox {SandboxId}: run stopped ({Reason})")]
    private partial void LogRunStopped(string sandboxId, string reason);

    [LoggerMessage(LogLevel.Information, "Start-up clean-up: killed {Processes} leftover processes, deleted {Expired} expired sandboxes and {Temporaries} unfinished file writes")]
    private partial void LogCleanedUp(int processes, int expired, int temporaries);

    [LoggerMessage(LogLevel.Error, "Refused to delete {Path}: it is outside the sandboxes directory")]
    private partial void LogDeleteRefused(string path);

    [LoggerMessage(LogLevel.Warning, "Could not delete {Path}: {Reason}")]
    private partial void LogDeleteFailed(string path, string reason);
}

/// <summary>What a run is, for the sandbox's run history: its kind and the code (or command) it was given.</summary>
internal readonly record struct RunWhat(RunKind Kind, string? Code);
