using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Fleet;
using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Contract;
using Microsoft.Extensions.Logging;

namespace Cerver.Gateway.Embedded.Sessions.Agents;

/// <summary>
/// Runs the turns of agent sessions. The transcript is the queue: every user entry after a
/// session's turn cursor is an input waiting for its turn, so an input that arrives while a
/// turn runs is never refused and never lost (not even across a restart), and inputs are taken
/// one turn each, in order. One worker per session at a time.
/// </summary>
public sealed partial class AgentTurns(SessionStore store, ComputeRegistry registry, TimeProvider time, ILogger<AgentTurns> logger) : IDisposable
{
    /// <summary>How much of the earlier conversation a fresh agent thread is given (a switched harness, a moved session).</summary>
    private const int CarriedContextChars = 64 * 1024;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Worker> _workers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private volatile bool _takingTurns = true;

    /// <summary>Sessions with a turn running now.</summary>
    public int Running
    {
        get
        {
            lock (_lock)
            {
                return _workers.Values.Count(worker => worker.InTurn);
            }
        }
    }

    /// <summary>Whether the session has a turn running now.</summary>
    public bool IsRunning(string sessionId)
    {
        lock (_lock)
        {
            return _workers.TryGetValue(sessionId, out var worker) && worker.InTurn;
        }
    }

    /// <summary>The daemon is stopping: turns running now finish or are stopped by the drain; no new one starts.</summary>
    public void StopTakingTurns() => _takingTurns = false;

    /// <summary>Makes sure the session's waiting inputs get their turns: starts its worker, or tells the running one to look again.</summary>
    public void Wake(string sessionId)
    {
        lock (_lock)
        {
            if (!_takingTurns)
            {
                return;
            }

            if (_workers.TryGetValue(sessionId, out var running))
            {
                running.LookAgain = true;
                return;
            }

            var worker = new Worker(CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token));
            _workers[sessionId] = worker;
            worker.Task = Task.Run(() => WorkAsync(sessionId, worker), CancellationToken.None);
        }
    }

    /// <summary>Stops the session's turn, killing its processes; the turn still ends with its entries.</summary>
    public async Task CancelAsync(string sessionId)
    {
        Worker? worker;
        lock (_lock)
        {
            _workers.TryGetValue(sessionId, out worker);
        }

        if (worker is not null)
        {
            try
            {
                await worker.Stop.CancelAsync();
            }
            catch (ObjectDisposedException)
            {
                // The worker finished meanwhile.
            }

            await worker.Task!;
        }
    }

    /// <summary>
    /// After a restart: a turn that was running when the daemon stopped is over (its processes died
    /// with it) and says so; inputs still waiting get their turns.
    /// </summary>
    public void Recover()
    {
        foreach (var session in store.List(int.MaxValue, SessionStatus.Running).Where(s => AgentSessionSpec.From(s.Metadata) is not null))
        {
            var now = time.GetUtcNow();
            // The agent's own thread was cut mid-write (a resumed Claude Code thread cut that way
            // was seen to hang after answering): the next turn starts a fresh one given the conversation.
            store.Change(session.SessionId, current =>
            {
                var metadata = (JsonObject)current.Metadata.DeepClone();
                metadata.Remove("cli_session_id");
                metadata.Remove(AgentUsage.ThreadKey);
                return current with { Status = SessionStatus.Idle, Metadata = metadata, UpdatedAt = now };
            }, (writes, _) =>
            {
                writes.AppendTranscript(session.SessionId, new NewTranscriptEntry("assistant", "text",
                    "The relay stopped while this turn was running, and the agent stopped with it. The entries above are what it did before; send the prompt again to continue."), now);
                writes.AppendTranscript(session.SessionId, CompletionEntry(137, 0, new JsonObject()), now);
            });
        }

        foreach (var session in store.List(int.MaxValue, SessionStatus.Idle).Concat(store.List(int.MaxValue, SessionStatus.Ready)))
        {
            if (AgentSessionSpec.From(session.Metadata) is not null && store.NextInput(session.SessionId, session.TurnCursor) is not null)
            {
                Wake(session.SessionId);
            }
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        Task[] tasks;
        lock (_lock)
        {
            tasks = [.. _workers.Values.Select(worker => worker.Task!).Where(task => task is not null)];
        }

        Task.WaitAll(tasks, TimeSpan.FromSeconds(10));
        _stopping.Dispose();
    }

    private async Task WorkAsync(string sessionId, Worker worker)
    {
        try
        {
            while (!worker.Stop.IsCancellationRequested)
            {
                var session = store.Find(sessionId);
                var input = !_takingTurns || session is null || SessionStatus.IsEnded(session.Status) ? null : store.NextInput(sessionId, session.TurnCursor);
                if (input is null)
                {
                    lock (_lock)
                    {
                        if (!worker.LookAgain || !_takingTurns)
                        {
                            _workers.Remove(sessionId);
                            return;
                        }

                        worker.LookAgain = false;
                    }

                    continue;
                }

                worker.InTurn = true;
                try
                {
                    await RunTurnAsync(session!, input, worker.Stop.Token);
                }
                finally
                {
                    worker.InTurn = false;
                }
            }
        }
        catch (Exception exception)
        {
            LogWorkerFailed(sessionId, exception);
        }
        finally
        {
            lock (_lock)
            {
                if (_workers.TryGetValue(sessionId, out var current) && current == worker)
                {
                    _workers.Remove(sessionId);
                }
            }

            worker.Stop.Dispose();
        }
    }

    private async Task RunTurnAsync(SessionRecord session, TranscriptEntry input, CancellationToken cancellationToken)
    {
        var spec = AgentSessionSpec.From(session.Metadata)!;
        var started = time.GetUtcNow();
        var carryContext = spec.CliSessionId is null && input.Seq > 1;
        session = store.Change(session.SessionId, current => current with { Status = SessionStatus.Running, TurnCursor = input.Seq, UpdatedAt = started })!;
        LogTurnStarted(session.SessionId, spec.CliTool, input.Seq);

        var turn = new AgentTurn
        {
            Harness = spec.CliTool,
            Prompt = carryContext ? WithContext(session.SessionId, input) : input.Content,
            CliSessionId = spec.CliSessionId,
            Model = spec.CliModel,
            SystemPrompt = spec.AgentsMd,
        };

        AgentTurnCompleted? completed = null;
        try
        {
            var compute = session.ComputeId is null || session.SandboxId is null ? null : registry.Find(session.ComputeId);
            if (compute is null)
            {
                throw new ComputeException(ComputeErrorKind.Unavailable, "compute_unavailable",
                    $"The compute {session.ComputeId ?? "(none)"} of this session is not connected, so the agent could not run. Move the session with change-compute or try again when it is back.");
            }

            await foreach (var item in compute.Compute.RunAgentTurnAsync(session.SandboxId!, turn, cancellationToken).WithCancellation(CancellationToken.None))
            {
                switch (item)
                {
                    case AgentEntryEvent entry:
                        Append(session.SessionId, entry.Entry);
                        break;
                    case AgentSessionEvent reported:
                        Remember(session.SessionId, reported);
                        break;
                    case AgentTurnCompleted end:
                        completed = end;
                        break;
                }
            }
        }
        catch (ComputeException exception)
        {
            Append(session.SessionId, AgentEntry.Text(exception.Message));
        }

        var duration = completed?.DurationMs ?? (long)(time.GetUtcNow() - started).TotalMilliseconds;
        Complete(session.SessionId, completed ?? new AgentTurnCompleted(1, duration, 0, 0, []) { Outcome = AgentTurnOutcome.Failed }, spec);
    }

    private void Append(string sessionId, AgentEntry entry) =>
        store.AppendTranscript(sessionId, new NewTranscriptEntry(entry.Role, entry.Kind, entry.Content)
        {
            ToolName = entry.ToolName,
            ToolId = entry.ToolId,
            ToolInput = entry.ToolInput,
            IsError = entry.IsError,
        }, time.GetUtcNow());

    private void Remember(string sessionId, AgentSessionEvent reported) =>
        store.Change(sessionId, current =>
        {
            var metadata = (JsonObject)current.Metadata.DeepClone();
            SessionMetadata.Remember(metadata, reported);
            return current with { Metadata = metadata, UpdatedAt = time.GetUtcNow() };
        });

    /// <summary>
    /// Ends the turn in one commit: the <c>session_completed</c> entry, the cumulative usage, the
    /// session back to idle — or, with <c>complete_on_exit</c>, the session over.
    /// </summary>
    private void Complete(string sessionId, AgentTurnCompleted end, AgentSessionSpec spec)
    {
        var now = time.GetUtcNow();
        var total = new JsonObject();
        store.Change(sessionId, current =>
        {
            var metadata = (JsonObject)current.Metadata.DeepClone();
            total = AgentUsage.Accumulate(metadata, end);
            var status = SessionStatus.IsEnded(current.Status) ? current.Status
                : spec.CompleteOnExit ? SessionStatus.Terminated
                : SessionStatus.Idle;
            return current with
            {
                Metadata = metadata,
                Status = status,
                UpdatedAt = now,
                EndedAt = status == SessionStatus.Terminated && current.EndedAt is null ? now : current.EndedAt,
            };
        }, (writes, changed) =>
        {
            writes.AppendTranscript(sessionId, CompletionEntry(end.ExitCode, end.DurationMs, total), now);
            writes.AppendEvent(sessionId, changed.ComputeId, SessionEventTypes.AgentTurn, now, end.DurationMs,
                new JsonObject { ["exit_code"] = end.ExitCode, ["outcome"] = end.Outcome.ToString().ToLowerInvariant() });
        });
        LogTurnEnded(sessionId, end.ExitCode, end.Outcome.ToString(), end.DurationMs);
    }

    private static NewTranscriptEntry CompletionEntry(int exitCode, long durationMs, JsonObject totalUsage) =>
        new("system", "session_completed", AgentUsage.CompletionContent(exitCode, durationMs, totalUsage));

    /// <summary>A fresh thread (another harness, another machine, a lost CLI session) starts with the conversation so far.</summary>
    private string WithContext(string sessionId, TranscriptEntry input)
    {
        var earlier = store.ReadTranscript(sessionId).Where(entry => entry.Seq < input.Seq && entry.Kind is "message" or "text").ToList();
        if (earlier.Count == 0)
        {
            return input.Content;
        }

        var context = new StringBuilder("The conversation so far in this session (you are taking it over):\n");
        foreach (var entry in earlier)
        {
            context.Append(CultureInfo.InvariantCulture, $"[{entry.Role}] {entry.Content}\n");
        }

        var text = context.Length > CarriedContextChars ? "…" + context.ToString(context.Length - CarriedContextChars, CarriedContextChars) : context.ToString();
        return $"{text}\nThe new request:\n{input.Content}";
    }

    private sealed class Worker(CancellationTokenSource stop)
    {
        public CancellationTokenSource Stop { get; } = stop;

        public Task? Task { get; set; }

        public volatile bool LookAgain;

        public volatile bool InTurn;
    }

    [LoggerMessage(LogLevel.Information, "Session {SessionId}: {CliTool} turn started for input {Seq}")]
    private partial void LogTurnStarted(string sessionId, string cliTool, long seq);

    [LoggerMessage(LogLevel.Information, "Session {SessionId}: turn ended with exit code {ExitCode} ({Outcome}) after {DurationMs} ms")]
    private partial void LogTurnEnded(string sessionId, int exitCode, string outcome, long durationMs);

    [LoggerMessage(LogLevel.Error, "Session {SessionId}: the agent worker failed")]
    private partial void LogWorkerFailed(string sessionId, Exception exception);
}
