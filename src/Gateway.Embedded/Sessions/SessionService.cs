using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Fleet;
using Cerver.Gateway.Embedded.Metrics;
using Cerver.Gateway.Embedded.Routing;
using Cerver.Gateway.Embedded.Routing.Wire;
using Cerver.Gateway.Embedded.Sessions.Agents;
using Cerver.Relay.Compute;
using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Contract;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cerver.Gateway.Embedded.Sessions;

/// <summary>
/// The session layer: routes a request to a compute, provisions its sandbox (falling back in
/// the router's order when a create fails), runs work through it, and records every turn
/// and event so metrics and transcripts are the real history.
/// </summary>
public sealed partial class SessionService(
    SessionStore store,
    ComputeRegistry registry,
    AgentTurns turns,
    AgentHarnesses harnesses,
    TimeProvider time,
    IOptions<GatewayOptions> options,
    IOptions<ComputeOptions> computeOptions,
    ILogger<SessionService> logger)
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    private const int SandboxMinutes = 24 * 60;

    public static string NewId(string prefix) => prefix + RandomNumberGenerator.GetString(Alphabet, 24);

    public RecommendationReport Recommend(RecommendRequestBody body) =>
        Router.Recommend(Validate(body), registry.Snapshot(), requireExecutable: false, NewId("req_"));

    public async Task<SessionRecord> CreateAsync(RecommendRequestBody body, CancellationToken cancellationToken)
    {
        body = WithComputeTarget(body);
        var request = Validate(body);
        var (metadata, sandboxEnv) = SplitMetadata(body.Metadata);
        if (IsTranscriptOnly(body))
        {
            return CreateTranscriptOnly(body, request, metadata);
        }

        var agent = AgentOf(body, metadata);

        if (agent is not null && store.CountLiveAgentSessions() >= computeOptions.Value.Agents.MaxSessions)
        {
            throw new ComputeException(ComputeErrorKind.Busy, "agent_limit",
                $"Maximum number of agents ({computeOptions.Value.Agents.MaxSessions}) reached on this relay; end a session or wait for one to finish, then retry.");
        }

        var report = Router.Recommend(request, registry.Snapshot(), requireExecutable: true, NewId("req_"));
        if (report.NoProviderQualifies)
        {
            LogNoExecutableProvider(report.RequestId);
            throw new NoExecutableProviderException(report);
        }

        var now = time.GetUtcNow();
        var winner = report.Providers.First(provider => provider.Name == report.Decision.RecommendedProvider);
        var session = new SessionRecord
        {
            SessionId = NewId("ses_"),
            SessionName = request.SessionName ?? request.Repo.Name,
            Status = SessionStatus.Provisioning,
            Task = request.Task,
            Workload = body.Workload ?? "general",
            Routing = (JsonSerializer.SerializeToNode(report.Decision, RoutingJsonContext.Default.RoutingDecision) as JsonObject)!,
            Metadata = metadata,
            IdleTimeoutMinutes = request.Requirements.TimeoutMinutes ?? options.Value.DefaultIdleTimeoutMinutes,
            PredictedStartupMs = winner.PredictedStartupMs,
            CreatedAt = now,
            UpdatedAt = now,
        };
        store.Insert(session);

        var failures = new List<string>();
        var busy = 0;
        foreach (var candidate in Candidates(report))
        {
            var compute = registry.Find(candidate.ComputeId!);
            if (compute is null)
            {
                continue;
            }

            var started = time.GetTimestamp();
            try
            {
                var sandbox = await compute.Compute.CreateSandboxAsync(new CreateSandboxRequest
                {
                    Runtime = SandboxRuntime(request.Requirements.Runtime),
                    TimeoutMinutes = SandboxMinutes,
                    Metadata = new JsonObject { ["session_id"] = session.SessionId },
                    Env = sandboxEnv,
                    // An agent needs its model API; every other rule of the sandbox holds.
                    Network = agent is not null ? true : null,
                }, cancellationToken);
                var elapsed = (long)time.GetElapsedTime(started).TotalMilliseconds;
                session = session with
                {
                    Status = SessionStatus.Ready,
                    Provider = candidate.Name,
                    ComputeId = compute.Description.ComputeId,
                    SandboxId = sandbox.SandboxId,
                    UpdatedAt = time.GetUtcNow(),
                };
                store.Update(session);
                store.AppendEvent(session.SessionId, session.ComputeId, SessionEventTypes.Provisioned, time.GetUtcNow(), elapsed,
                    new JsonObject { ["provider"] = candidate.Name, ["sandbox_id"] = sandbox.SandboxId });
                LogCreated(session.SessionId, candidate.Name, session.ComputeId!, sandbox.SandboxId, agent is null ? "none" : SessionMetadata.Text(metadata, "cli_tool") ?? "agent");
                if (agent is not null && SessionMetadata.Text(metadata, "bootstrap_prompt") is { } bootstrap)
                {
                    return AppendInput(session.SessionId, "user", bootstrap).Session;
                }

                return session;
            }
            catch (ComputeException exception)
            {
                failures.Add($"{candidate.Name}: {exception.Message}");
                busy += exception.Kind == ComputeErrorKind.Busy ? 1 : 0;
                store.AppendEvent(session.SessionId, compute.Description.ComputeId, SessionEventTypes.ProvisionFailed, time.GetUtcNow(),
                    (long)time.GetElapsedTime(started).TotalMilliseconds,
                    new JsonObject { ["provider"] = candidate.Name, ["code"] = exception.Code, ["reason"] = exception.Message });
                LogProvisionFailed(session.SessionId, candidate.Name, exception.Message);
            }
        }

        var reason = failures.Count == 0 ? "no recommended compute is registered any more" : string.Join("; ", failures);
        var failed = session with { Status = SessionStatus.Failed, UpdatedAt = time.GetUtcNow(), EndedAt = time.GetUtcNow() };
        store.Write(writes =>
        {
            writes.Update(failed);
            writes.AppendEvent(failed.SessionId, null, SessionEventTypes.Failed, time.GetUtcNow(), null, new JsonObject { ["reason"] = reason });
        });

        // Every compute being full is a busy gateway (429, try again later), not a broken one.
        var allBusy = failures.Count > 0 && busy == failures.Count;
        throw new ComputeException(allBusy ? ComputeErrorKind.Busy : ComputeErrorKind.Unavailable, allBusy ? "computes_busy" : "provision_failed",
            $"Session {session.SessionId} failed: no compute could create its sandbox ({reason}).");
    }

    public SessionRecord Get(string sessionId) => store.Find(sessionId) ?? throw SessionNotFound(sessionId);

    private static ComputeException SessionNotFound(string sessionId) =>
        new(ComputeErrorKind.NotFound, "session_not_found", $"No session '{sessionId}'.");

    public IReadOnlyList<SessionRecord> List(int limit, string? status) => store.List(limit, status);

    public SessionMetrics MetricsOf(SessionRecord session) => SessionMetricsCalculator.Compute(
        session, store.ReadEvents(session.SessionId), time.GetUtcNow(), UptimeOf(session), options.Value.LocalCostPerMinuteUsd);

    public (TranscriptEntry Entry, SessionRecord Session) AppendInput(string sessionId, string? role, string? content)
    {
        if (role is not ("user" or "assistant" or "system"))
        {
            throw ComputeException.Invalid("role", $"'{role}' is not a role; use user, assistant or system");
        }

        if (string.IsNullOrEmpty(content))
        {
            throw ComputeException.Invalid("content", "is required");
        }

        RequireLive(sessionId);
        TranscriptEntry? entry = null;
        var now = time.GetUtcNow();
        // An agent session keeps its status: a turn may be running, and this input waits for the next one.
        var session = store.Change(sessionId, current => AgentSessionSpec.From(current.Metadata) is null
            ? current with { Status = SessionStatus.IsEnded(current.Status) ? current.Status : SessionStatus.Idle, UpdatedAt = now }
            : current with { UpdatedAt = now }, (writes, changed) =>
        {
            entry = writes.AppendTranscript(sessionId, role, "message", content, now, null);
            writes.AppendEvent(sessionId, changed.ComputeId, SessionEventTypes.Input, now, null, new JsonObject { ["role"] = role });
        }) ?? throw SessionNotFound(sessionId);

        if (role == "user" && AgentSessionSpec.From(session.Metadata) is not null && session.SandboxId is not null)
        {
            turns.Wake(sessionId);
        }

        return (entry!, session);
    }

    public async Task<(SessionRecord Session, RunResult Result, long DurationMs)> RunAsync(string sessionId, RunRequest request, CancellationToken cancellationToken)
    {
        var (session, compute) = BeginRun(sessionId, request);
        LogRun(session.SessionId, session.ComputeId!, session.SandboxId!, "buffered");
        var started = time.GetTimestamp();
        try
        {
            var result = await compute.Compute.RunSandboxAsync(session.SandboxId!, request, cancellationToken);
            var elapsed = (long)time.GetElapsedTime(started).TotalMilliseconds;
            var ended = EndRun(session, result.ExitCode, result.Stdout, result.Stderr, result.TimedOut, writes =>
                writes.AppendEvent(sessionId, session.ComputeId, SessionEventTypes.Exec, time.GetUtcNow(), elapsed,
                    new JsonObject { ["exit_code"] = result.ExitCode, ["timed_out"] = result.TimedOut }));
            return (ended, result, elapsed);
        }
        catch (ComputeException exception)
        {
            throw FailRun(session, exception);
        }
    }

    /// <summary>
    /// Opens a streamed run and waits for the compute to accept it. Every refusal comes before
    /// the stream's first event, on this machine as on a linked relay, so it surfaces here as an
    /// exception and a failed run rather than as a broken stream.
    /// </summary>
    public async Task<(SessionRecord Session, IAsyncEnumerable<RunStreamEvent> Events)> OpenStreamAsync(string sessionId, RunRequest request, long requestStartedAt, CancellationToken cancellationToken)
    {
        var (session, compute) = BeginRun(sessionId, request);
        LogRun(session.SessionId, session.ComputeId!, session.SandboxId!, "streamed");
        var events = compute.Compute.RunSandboxStreamAsync(session.SandboxId!, request, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            var opened = await events.MoveNextAsync();
            return (session, Record(session, events, opened, requestStartedAt));
        }
        catch (ComputeException exception)
        {
            await events.DisposeAsync();
            throw FailRun(session, exception);
        }
        catch
        {
            // Cancelled while opening: the run is over without an exit, and is recorded so.
            await events.DisposeAsync();
            EndStream(session, null, "", "", requestStartedAt);
            throw;
        }
    }

    /// <summary>Records how long the stream took to open; call when its headers go out.</summary>
    public void StreamOpened(SessionRecord session, long latencyMs) =>
        store.AppendEvent(session.SessionId, session.ComputeId, SessionEventTypes.StreamOpen, time.GetUtcNow(), latencyMs);

    public Task<SessionRecord> TerminateAsync(string sessionId, string reason, CancellationToken cancellationToken) =>
        EndAsync(sessionId, SessionStatus.Terminated, SessionEventTypes.Terminated, reason, cancellationToken);

    /// <summary>Ends a live session as <paramref name="status"/> (terminated or failed) and frees its sandbox; an ended one is left as it is.</summary>
    private async Task<SessionRecord> EndAsync(string sessionId, string status, string eventType, string reason, CancellationToken cancellationToken)
    {
        var session = Get(sessionId);
        if (SessionStatus.IsEnded(session.Status))
        {
            return session;
        }

        // The turn ends first, with its entries and its session_completed, so no reader waits on it.
        await turns.CancelAsync(sessionId);
        if (session.SandboxId is not null && session.ComputeId is not null && registry.Find(session.ComputeId) is { } compute)
        {
            try
            {
                await compute.Compute.DeleteSandboxAsync(session.SandboxId, cancellationToken);
            }
            catch (ComputeException exception) when (exception.Kind == ComputeErrorKind.NotFound)
            {
                // The sandbox already went away (expired, or deleted through the compute API).
            }
        }

        var now = time.GetUtcNow();
        var ended = store.Change(sessionId, current => current with { Status = status, UpdatedAt = now, EndedAt = current.EndedAt ?? now },
            (writes, changed) => writes.AppendEvent(sessionId, changed.ComputeId, eventType, now, null, new JsonObject { ["reason"] = reason }))!;
        LogEnded(sessionId, status, reason.Length <= 200 ? reason : reason[..200] + "…");
        return ended;
    }

    /// <summary>Ends every session idle past its timeout and frees its sandbox; returns how many.</summary>
    public async Task<int> EndIdleSessionsAsync(CancellationToken cancellationToken)
    {
        var idle = store.ListIdlePast(time.GetUtcNow());
        foreach (var session in idle)
        {
            await TerminateAsync(session.SessionId, $"idle for {session.IdleTimeoutMinutes} minutes", cancellationToken);
        }

        return idle.Count;
    }

    /// <summary>The rest of an opened stream, recorded into the session as it passes; <paramref name="opened"/> is whether it has a current event.</summary>
    private async IAsyncEnumerable<RunStreamEvent> Record(SessionRecord session, IAsyncEnumerator<RunStreamEvent> events, bool opened, long startedAt)
    {
        await using var owned = events;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var limit = options.Value.TranscriptOutputChars;
        RunExitEvent? exit = null;
        try
        {
            for (var more = opened; more; more = await events.MoveNextAsync())
            {
                var item = events.Current;
                switch (item)
                {
                    case RunOutputEvent output:
                        var target = output.Kind == OutputKind.Stdout ? stdout : stderr;
                        if (target.Length < limit)
                        {
                            target.Append(output.Text.AsSpan(0, Math.Min(output.Text.Length, limit - target.Length)));
                        }

                        break;
                    case RunExitEvent ended:
                        exit = ended;
                        break;
                }

                yield return item;
            }
        }
        finally
        {
            EndStream(session, exit, stdout.ToString(), stderr.ToString(), startedAt);
        }
    }

    private void EndStream(SessionRecord session, RunExitEvent? exit, string stdout, string stderr, long startedAt)
    {
        var elapsed = (long)time.GetElapsedTime(startedAt).TotalMilliseconds;
        EndRun(session, exit?.ExitCode, stdout, stderr, exit?.TimedOut ?? false, writes =>
            writes.AppendEvent(session.SessionId, session.ComputeId, SessionEventTypes.Stream, time.GetUtcNow(), elapsed,
                new JsonObject { ["exit_code"] = exit?.ExitCode, ["completed"] = exit is not null }));
    }

    private (SessionRecord Session, RegisteredCompute Compute) BeginRun(string sessionId, RunRequest request)
    {
        var session = RequireLive(sessionId);
        if (string.IsNullOrEmpty(request.Code))
        {
            throw ComputeException.Invalid("code", "is required");
        }

        var compute = registry.Find(session.ComputeId!)
            ?? throw new ComputeException(ComputeErrorKind.Unavailable, "compute_unavailable", $"The compute {session.ComputeId} of session {sessionId} is not connected.");
        var now = time.GetUtcNow();
        session = session with { Status = SessionStatus.Running, UpdatedAt = now };
        var running = session;
        store.Write(writes =>
        {
            writes.Update(running);
            writes.AppendTranscript(sessionId, "assistant", "tool_use", request.Code, now, "run");
        });
        return (session, compute);
    }

    // The run's own event comes in with the transcript and status: one commit ends a run.
    private SessionRecord EndRun(SessionRecord session, int? exitCode, string stdout, string stderr, bool timedOut, Action<SessionWrites> runEvent)
    {
        var limit = options.Value.TranscriptOutputChars;
        var content = new StringBuilder();
        content.Append("exit_code: ").Append(exitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none").Append(timedOut ? " (timed out)" : "").Append('\n');
        content.Append(Cut(stdout, limit));
        if (stderr.Length > 0)
        {
            content.Append("\n[stderr]\n").Append(Cut(stderr, limit));
        }

        var now = time.GetUtcNow();
        var current = store.Find(session.SessionId);
        var ended = current is not null && SessionStatus.IsEnded(current.Status);
        var updated = session with { Status = SessionStatus.Idle, UpdatedAt = now };
        store.Write(writes =>
        {
            runEvent(writes);
            writes.AppendTranscript(session.SessionId, "tool", "tool_result", content.ToString(), now, "run");
            if (!ended)
            {
                writes.Update(updated);
            }
        });
        return ended ? current! : updated;
    }

    private ComputeException FailRun(SessionRecord session, ComputeException exception)
    {
        EndRun(session, null, "", exception.Message, timedOut: false, writes =>
            writes.AppendEvent(session.SessionId, session.ComputeId, SessionEventTypes.Failed, time.GetUtcNow(), null,
                new JsonObject { ["code"] = exception.Code, ["reason"] = exception.Message }));
        return exception;
    }

    private SessionRecord RequireLive(string sessionId)
    {
        var session = Get(sessionId);
        return SessionStatus.IsEnded(session.Status)
            ? throw new ComputeException(ComputeErrorKind.Conflict, "session_ended", $"Session '{sessionId}' is {session.Status}; create a new session.")
            : session;
    }

    private static IEnumerable<ProviderAssessment> Candidates(RecommendationReport report) =>
        new[] { report.Decision.RecommendedProvider! }.Concat(report.Decision.FallbackOrder)
            .Select(name => report.Providers.FirstOrDefault(provider => provider.Name == name))
            .Where(provider => provider is { Executable: true, ComputeId: not null })
            .Select(provider => provider!);

    private double UptimeOf(SessionRecord session) =>
        session.ComputeId is not null && registry.Find(session.ComputeId) is { } compute
            ? ProviderCatalog.ProfileOf(compute.Description).UptimePercent
            : 0;

    private static string? SandboxRuntime(string? runtime) => runtime?.ToLowerInvariant() switch
    {
        "node" or "javascript" or "typescript" => "node",
        "python" or "python3" => "python",
        "bash" => "bash",
        _ => "shell",
    };

    /// <summary>
    /// The agent of a session: <c>metadata.cli_tool</c>, or the top-level <c>harness</c> /
    /// <c>agent</c>; checked against the harnesses this relay runs, and kept by its canonical name.
    /// </summary>
    private IAgentHarness? AgentOf(RecommendRequestBody body, JsonObject metadata)
    {
        var named = SessionMetadata.Text(metadata, "cli_tool") ?? Blank(body.Harness) ?? Blank(body.Agent);
        if (named is null)
        {
            return null;
        }

        var harness = harnesses.Find(named)
            ?? throw ComputeException.Invalid("metadata.cli_tool", $"'{named}' is not an agent this relay runs; use one of {harnesses.Names}");
        metadata["cli_tool"] = harness.Name;
        return harness;
    }

    /// <summary>
    /// The metadata to store, and the session's variables apart: they may hold app secrets, which
    /// the relay never writes to disk, so they live with the sandbox in memory only.
    /// </summary>
    private static (JsonObject Metadata, Dictionary<string, string>? Env) SplitMetadata(JsonObject? given)
    {
        var metadata = given?.DeepClone() as JsonObject ?? [];
        if (metadata["env"] is not { } env)
        {
            return (metadata, null);
        }

        metadata.Remove("env");
        if (env is not JsonObject variables)
        {
            throw ComputeException.Invalid("metadata.env", "must be an object of variable names to string values");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in variables)
        {
            values[name] = value is JsonValue text && text.TryGetValue<string>(out var s) ? s
                : throw ComputeException.Invalid($"metadata.env.{name}", "must be a string");
        }

        return (metadata, values);
    }

    /// <summary><c>compute: {compute_id}</c> or <c>{provider}</c> (observed) pins the session like <c>target_compute_id</c>.</summary>
    private static RecommendRequestBody WithComputeTarget(RecommendRequestBody body)
    {
        if (body.Compute.ValueKind != JsonValueKind.Object || body.TargetComputeId is not null)
        {
            return body;
        }

        var computeId = body.Compute.TryGetProperty("compute_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
        var provider = body.Compute.TryGetProperty("provider", out var named) && named.ValueKind == JsonValueKind.String ? named.GetString() : null;
        return computeId is { Length: > 0 } ? body with { TargetComputeId = computeId }
            : provider is { Length: > 0 } ? body with { TargetComputeId = "provider_" + provider }
            : body;
    }

    /// <summary><c>session_type: "transcript"</c> or <c>compute: null</c> (observed): a session that is only its transcript.</summary>
    private static bool IsTranscriptOnly(RecommendRequestBody body) =>
        string.Equals(body.SessionType, "transcript", StringComparison.OrdinalIgnoreCase) || body.Compute.ValueKind == JsonValueKind.Null;

    private SessionRecord CreateTranscriptOnly(RecommendRequestBody body, RoutingRequest request, JsonObject metadata)
    {
        var now = time.GetUtcNow();
        var session = new SessionRecord
        {
            SessionId = NewId("ses_"),
            SessionName = request.SessionName ?? request.Repo.Name,
            Status = SessionStatus.Idle,
            Provider = "none",
            Task = request.Task,
            Workload = body.Workload ?? "general",
            Routing = [],
            Metadata = metadata,
            IdleTimeoutMinutes = request.Requirements.TimeoutMinutes ?? options.Value.DefaultIdleTimeoutMinutes,
            CreatedAt = now,
            UpdatedAt = now,
        };
        store.Insert(session);
        LogCreatedTranscriptOnly(session.SessionId);
        return session;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static RoutingRequest Validate(RecommendRequestBody body)
    {
        var validation = RoutingRequestValidator.Validate(body);
        return validation.Request ?? throw new ComputeException(ComputeErrorKind.InvalidInput, "invalid_request",
            string.Join("; ", validation.Errors.Select(error => error.ToString())));
    }

    private static string Cut(string text, int limit) =>
        text.Length <= limit ? text : string.Concat(text.AsSpan(0, limit), $"\n[… {text.Length - limit} more characters not kept in the transcript]");

    [LoggerMessage(LogLevel.Warning, "Session {SessionId}: provisioning on {Provider} failed: {Reason}")]
    private partial void LogProvisionFailed(string sessionId, string provider, string reason);

    [LoggerMessage(LogLevel.Information, "Session {SessionId}: created on {Provider} (compute {ComputeId}, sandbox {SandboxId}, agent {Agent})")]
    private partial void LogCreated(string sessionId, string provider, string computeId, string sandboxId, string agent);

    [LoggerMessage(LogLevel.Information, "Session {SessionId}: created as transcript only (no sandbox)")]
    private partial void LogCreatedTranscriptOnly(string sessionId);

    [LoggerMessage(LogLevel.Information, "Session refused: no executable provider qualifies (report {RequestId})")]
    private partial void LogNoExecutableProvider(string requestId);

    [LoggerMessage(LogLevel.Information, "Session {SessionId}: {Mode} run on compute {ComputeId}, sandbox {SandboxId}")]
    private partial void LogRun(string sessionId, string computeId, string sandboxId, string mode);

    [LoggerMessage(LogLevel.Information, "Session {SessionId}: {Status} ({Reason})")]
    private partial void LogEnded(string sessionId, string status, string reason);
}
