using System.Collections.Concurrent;
using Cerver.Relay.Compute.Contract;

namespace Cerver.Relay.Compute.Sandboxes;

/// <summary>
/// The latest runs of each live sandbox — direct runs, streams, installs and agent turns alike —
/// for people looking at the machine (the dashboard, <c>GET /sandbox/{id}/runs</c>). Kept in
/// memory only: a run's summary is the first line of its code, cut short, and nothing of its
/// output; a deleted sandbox or a restart forgets them.
/// </summary>
public sealed class RunHistory(TimeProvider time)
{
    public const int KeptPerSandbox = 50;

    public const int SummaryLength = 120;

    private readonly ConcurrentDictionary<string, LinkedList<RunEntry>> _runs = new(StringComparer.Ordinal);

    /// <summary>Records a run as started and returns the entry <see cref="Finish"/> completes.</summary>
    public RunEntry Start(string sandboxId, RunKind kind, string? code)
    {
        var entry = new RunEntry(kind, Summarize(code), time.GetUtcNow());
        var runs = _runs.GetOrAdd(sandboxId, _ => new LinkedList<RunEntry>());
        lock (runs)
        {
            runs.AddFirst(entry);
            if (runs.Count > KeptPerSandbox)
            {
                runs.RemoveLast();
            }
        }

        return entry;
    }

    /// <summary>The sandbox's runs, newest first, as they stand now.</summary>
    public IReadOnlyList<SandboxRun> Of(string sandboxId)
    {
        if (!_runs.TryGetValue(sandboxId, out var runs))
        {
            return [];
        }

        lock (runs)
        {
            return [.. runs.Select(run => run.Snapshot())];
        }
    }

    public void Forget(string sandboxId) => _runs.TryRemove(sandboxId, out _);

    private static string Summarize(string? code)
    {
        var line = (code ?? "").TrimStart().Split('\n', 2)[0].TrimEnd('\r');
        return line.Length <= SummaryLength ? line : string.Concat(line.AsSpan(0, SummaryLength), "…");
    }
}

/// <summary>One run as it goes: started, then finished with its outcome or stopped by the relay.</summary>
public sealed class RunEntry(RunKind kind, string summary, DateTimeOffset startedAt)
{
    private readonly Lock _lock = new();
    private SandboxRun? _finished;

    public void Finish(int exitCode, TimeSpan duration, bool timedOut, string? stopReason)
    {
        lock (_lock)
        {
            _finished = new SandboxRun(kind, summary, startedAt, stopReason is null ? RunStatus.Exited : RunStatus.Stopped)
            {
                ExitCode = exitCode,
                DurationMs = (long)duration.TotalMilliseconds,
                TimedOut = timedOut,
                StopReason = stopReason,
            };
        }
    }

    public SandboxRun Snapshot()
    {
        lock (_lock)
        {
            return _finished ?? new SandboxRun(kind, summary, startedAt, RunStatus.Running);
        }
    }
}
