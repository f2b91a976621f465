using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Cerver.Relay.Bench;

/// <summary>
/// Many sessions at once on one fresh daemon: each creates a session, then runs its commands
/// one after the other (<c>echo i</c>, output checked), all sessions concurrently. Every
/// refusal, timeout or wrong answer is counted as an error, never retried or hidden. The
/// daemon's memory is read at idle before, sampled throughout, and read again after every
/// session was deleted and the daemon had a few quiet seconds (it has no GC endpoint).
/// </summary>
internal sealed class LoadTest(int sessions, int commands, TextWriter progress)
{
    private const int WarmupCommands = 5;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(100);

    /// <summary>How long the daemon is left alone after the load before the last reading.</summary>
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(10);

    public async Task<IReadOnlyList<MeasurementResult>> RunAsync(RelayDaemon daemon, List<string> notes, CancellationToken cancellationToken)
    {
        var client = daemon.Client;
        var label = $"{sessions} sessions × {commands}, {daemon.Isolation}";

        // One session's worth of warm-up, so "before" is a daemon that has served this API, not a cold one.
        var (warmSession, _) = await client.CreateSessionAsync(cancellationToken);
        for (var i = 0; i < WarmupCommands; i++)
        {
            await client.SessionRunAsync(warmSession, "echo warm", cancellationToken);
        }

        await client.DeleteSessionAsync(warmSession, cancellationToken);
        progress.WriteLine($"  load ({label}): settling {Settle.TotalSeconds:0} s before the idle reading");
        await Task.Delay(Settle, cancellationToken);
        var before = daemon.Memory();

        var creates = new ConcurrentBag<CallOutcome>();
        var runs = new ConcurrentBag<CallOutcome>();
        using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampling = SamplePeakAsync(daemon, stopSampling.Token);
        progress.Write($"  load ({label}): ");
        var started = Stopwatch.GetTimestamp();
        var sessionIds = await Task.WhenAll(Enumerable.Range(0, sessions).Select(_ => Task.Run(
            () => RunSessionAsync(client, creates, runs, cancellationToken), cancellationToken)));
        var wallSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var justAfter = daemon.Memory();
        await stopSampling.CancelAsync();
        var peak = await sampling;
        progress.WriteLine($"{runs.Count} commands in {wallSeconds:0.0} s");

        var live = sessionIds.OfType<string>().ToList();
        progress.WriteLine($"  load: deleting {live.Count} sessions, then leaving the daemon alone for {Recovery.TotalSeconds:0} s");
        foreach (var id in live)
        {
            await client.DeleteSessionAsync(id, cancellationToken);
        }

        await Task.Delay(Recovery, cancellationToken);
        var after = daemon.Memory();

        var failedCreates = creates.Count(outcome => outcome.Error is not null);
        var failedRuns = runs.Count(outcome => outcome.Error is not null);
        notes.Add($"load ({label}): {creates.Count - failedCreates} of {sessions} sessions created, {runs.Count - failedRuns} of {sessions * commands} commands succeeded"
            + (failedCreates > 0 ? $"; {failedCreates * commands} commands not run because their session was not created" : ""));
        foreach (var group in creates.Concat(runs).Where(outcome => outcome.Error is not null).GroupBy(outcome => outcome.Error).OrderByDescending(group => group.Count()))
        {
            notes.Add($"  error {group.Key} ×{group.Count()}, e.g. {group.First().Detail}");
        }

        notes.Add($"load ({label}): daemon VmHWM (highest VmRSS since it started) {Megabytes(after.PeakResidentBytes):0.0} MB; "
            + $"just after the last command VmRSS {Megabytes(justAfter.ResidentBytes):0.0} MB, RssAnon {Megabytes(justAfter.AnonymousBytes):0.0} MB");

        var none = new Target.None();
        var results = new List<MeasurementResult>();
        AddLatency(results, $"load: session create ({label})", creates);
        AddLatency(results, $"load: command ({label})", runs);
        results.Add(MeasurementResult.From($"load: wall time ({label})", "s", [wallSeconds], none));
        results.Add(MeasurementResult.From($"load: errors ({label})", ResultTable.Count, [failedCreates + failedRuns], new Target.AtMost(0)));
        results.Add(MeasurementResult.From("load: VmRSS idle before", "MB", [Megabytes(before.ResidentBytes)], none));
        results.Add(MeasurementResult.From($"load: VmRSS peak (sampled every {SampleEvery.TotalMilliseconds:0} ms)", "MB", [Megabytes(peak.ResidentBytes)], none));
        results.Add(MeasurementResult.From($"load: VmRSS after, sessions deleted, {Recovery.TotalSeconds:0} s idle", "MB", [Megabytes(after.ResidentBytes)], none));
        results.Add(MeasurementResult.From("load: RssAnon idle before", "MB", [Megabytes(before.AnonymousBytes)], none));
        results.Add(MeasurementResult.From("load: RssAnon peak", "MB", [Megabytes(peak.AnonymousBytes)], none));
        results.Add(MeasurementResult.From($"load: RssAnon after, {Recovery.TotalSeconds:0} s idle", "MB", [Megabytes(after.AnonymousBytes)], none));
        return results;
    }

    /// <summary>One session: create it, run its commands in order; returns its id when it was created.</summary>
    private async Task<string?> RunSessionAsync(RelayClient client, ConcurrentBag<CallOutcome> creates, ConcurrentBag<CallOutcome> runs, CancellationToken cancellationToken)
    {
        var created = await client.TryCreateSessionAsync(cancellationToken);
        creates.Add(created);
        if (created.Error is not null)
        {
            return null;
        }

        for (var i = 1; i <= commands; i++)
        {
            var number = i.ToString(CultureInfo.InvariantCulture);
            runs.Add(await client.TrySessionRunAsync(created.Value!, $"echo {number}", number + "\n", cancellationToken));
        }

        return created.Value;
    }

    /// <summary>The highest VmRSS and RssAnon seen (each on its own) until cancelled.</summary>
    internal static async Task<MemorySample> SamplePeakAsync(RelayDaemon daemon, CancellationToken cancellationToken)
    {
        var peak = daemon.Memory();
        using var timer = new PeriodicTimer(SampleEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var now = daemon.Memory();
                peak = new MemorySample(Math.Max(peak.ResidentBytes, now.ResidentBytes), Math.Max(peak.AnonymousBytes, now.AnonymousBytes), now.PeakResidentBytes);
            }
        }
        catch (OperationCanceledException)
        {
            // The load is over.
        }

        return peak;
    }

    /// <summary>Latency of the calls that succeeded; failures are counted as errors, not timed.</summary>
    private static void AddLatency(List<MeasurementResult> results, string name, IEnumerable<CallOutcome> outcomes)
    {
        var succeeded = outcomes.Where(outcome => outcome.Error is null).Select(outcome => outcome.Milliseconds).ToList();
        if (succeeded.Count > 0)
        {
            results.Add(MeasurementResult.From(name, "ms", succeeded, new Target.None()));
        }
    }

    private static double Megabytes(long bytes) => bytes / 1e6;
}
