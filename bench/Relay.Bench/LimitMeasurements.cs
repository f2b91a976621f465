using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Cerver.Relay.Bench;

/// <summary>
/// What stopping a sandbox costs with one process against thousands: how long past its timeout
/// a run answers, and how long a DELETE takes while a run holds the processes. Both should not
/// grow with the count, since a stop kills the run's first process and the PID namespace goes with it.
/// </summary>
internal sealed class LimitMeasurements(int samples, TextWriter progress)
{
    public const int ManyProcesses = 5000;
    private const int TimeoutSeconds = 20;

    public async Task<IReadOnlyList<MeasurementResult>> MeasureAsync(RelayDaemon daemon, CancellationToken cancellationToken)
    {
        var results = new List<MeasurementResult>();
        foreach (var count in new[] { 1, ManyProcesses })
        {
            var late = new List<double>();
            var deletes = new List<double>();
            for (var sample = 0; sample < samples; sample++)
            {
                late.Add(await TimeoutAnswerAsync(daemon, count, cancellationToken));
                deletes.Add(await DeleteAsync(daemon, count, cancellationToken));
                progress.WriteLine($"  limits, {count} processes: answered {late[^1]:0} ms past the timeout, deleted in {deletes[^1]:0} ms");
            }

            results.Add(MeasurementResult.From($"timeout answer past the timeout ({count} processes, bubblewrap)", "ms", late, new Target.AtMost(1000)));
            results.Add(MeasurementResult.From($"delete with a run holding {count} processes (bubblewrap)", "ms", deletes, new Target.AtMost(1000)));
        }

        return results;
    }

    /// <summary>Milliseconds from the run's timeout to its exit event (the spawning happens inside the timeout).</summary>
    private static async Task<double> TimeoutAnswerAsync(RelayDaemon daemon, int count, CancellationToken cancellationToken)
    {
        var (id, _) = await daemon.Client.CreateSandboxAsync(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        using (var run = await daemon.Client.StartStreamAsync(id, Payload(count, TimeoutSeconds), cancellationToken))
        {
            await run.ReadUntilAsync((name, data) => name == "stdout" && data.Contains("ready", StringComparison.Ordinal), cancellationToken);
            var exit = JsonNode.Parse(await run.ReadUntilAsync((name, _) => name is "exit" or "error", cancellationToken))!;
            if (exit["timed_out"]?.GetValue<bool>() != true)
            {
                throw new BenchException($"the run of {count} processes did not time out: {exit.ToJsonString()}");
            }
        }

        var late = Stopwatch.GetElapsedTime(started).TotalMilliseconds - TimeoutSeconds * 1000.0;
        await daemon.Client.DeleteSandboxAsync(id, cancellationToken);
        return late;
    }

    private static async Task<double> DeleteAsync(RelayDaemon daemon, int count, CancellationToken cancellationToken)
    {
        var (id, _) = await daemon.Client.CreateSandboxAsync(cancellationToken);
        using var run = await daemon.Client.StartStreamAsync(id, Payload(count, 600), cancellationToken);
        await run.ReadUntilAsync((name, data) => name == "stdout" && data.Contains("ready", StringComparison.Ordinal), cancellationToken);
        var started = Stopwatch.GetTimestamp();
        await daemon.Client.DeleteSandboxAsync(id, cancellationToken);
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static string Payload(int count, int timeoutSeconds) => new JsonObject
    {
        ["code"] = $"i=0; while [ $i -lt {count} ]; do sleep 3600 & i=$((i+1)); done; echo ready; wait",
        ["timeout"] = timeoutSeconds,
    }.ToJsonString();
}
