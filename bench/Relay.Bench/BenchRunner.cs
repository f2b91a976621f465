using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Cerver.Relay.Compute.Runtimes;

namespace Cerver.Relay.Bench;

/// <summary>
/// Starts the daemons, runs the parts asked for (each measurement interleaved with its baseline), and reports.
/// Every loop is bounded by the sample count and every call has a timeout, so a run always ends.
/// </summary>
internal sealed class BenchRunner(BenchOptions options, TextWriter output, TextWriter progress)
{
    private const string TrueCode = "true";

    /// <summary>Prints a timestamp, then stays alive so the first chunk cannot ride on the exit.</summary>
    private const string TimestampCode = "date +%s%N; sleep 0.05";

    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    /// <summary>A 64 MiB stream takes about a second: one warm-up is enough.</summary>
    private const int StreamWarmup = 1;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var relayDll = LocateRelay();
        var sh = ExecutableSearch.Find("sh") ?? throw new BenchException("sh is not on PATH");
        var bwrap = ExecutableSearch.Find("bwrap");
        var startedAt = DateTimeOffset.UtcNow;
        var skipped = new List<string>();
        var notes = new List<string>();
        var results = new List<MeasurementResult>();
        var sampler = new Interleaver(options.Warmup, options.Samples, progress);
        var parts = options.Parts;

        progress.WriteLine($"relay-bench: {string.Join("; ", [string.Join(", ", parts.Order()).ToLowerInvariant(), .. SampleCounts(parts), $"relay {relayDll}"])}");
        if (parts.Contains(BenchPart.Compute) || parts.Contains(BenchPart.Sessions))
        {
            await using var none = await StartAsync(relayDll, "none", connections: 1, cancellationToken);
            RelayDaemon? sandboxed = null;
            if (bwrap is null)
            {
                Skip(skipped, "bubblewrap group skipped: bwrap is not on PATH");
            }
            else
            {
                try
                {
                    sandboxed = await StartAsync(relayDll, "bubblewrap", connections: 1, cancellationToken);
                }
                catch (BenchException exception)
                {
                    Skip(skipped, $"bubblewrap group skipped: the relay would not start with CERVER_ISOLATION=bubblewrap: {exception.Message}");
                }
            }

            await using (sandboxed)
            {
                var daemons = sandboxed is null ? new[] { none } : [none, sandboxed];
                if (parts.Contains(BenchPart.Compute))
                {
                    results.AddRange(await MeasureComputeAsync(sampler, daemons, sh, cancellationToken));
                }

                if (parts.Contains(BenchPart.Sessions))
                {
                    results.AddRange(await new SessionMeasurements(sampler).MeasureAsync(daemons, cancellationToken));
                }
            }
        }

        if (parts.Contains(BenchPart.Load))
        {
            // A fresh daemon, with the isolation it picks by itself here, so its memory before
            // the load is not what the other parts left behind.
            await using var loaded = await StartAsync(relayDll, bwrap is null ? "none" : "bubblewrap", connections: options.LoadSessions, cancellationToken);
            results.AddRange(await new LoadTest(options.LoadSessions, options.LoadCommands, progress).RunAsync(loaded, notes, cancellationToken));
        }

        if (parts.Contains(BenchPart.Link))
        {
            // Both relays with the isolation they pick by themselves here, as a fleet would run.
            var streamSampler = new Interleaver(StreamWarmup, options.StreamSamples, progress);
            results.AddRange(await new LinkMeasurements(relayDll, sampler, streamSampler, progress)
                .MeasureAsync(bwrap is null ? "none" : "bubblewrap", notes, cancellationToken));
        }

        if (parts.Contains(BenchPart.Limits))
        {
            if (bwrap is null)
            {
                Skip(skipped, "limits skipped: bwrap is not on PATH");
            }
            else
            {
                // Two connections: the DELETE goes out while the streamed run holds the other.
                var environment = new Dictionary<string, string> { ["CERVER_SANDBOX_PROCESSES"] = (LimitMeasurements.ManyProcesses * 2).ToString(System.Globalization.CultureInfo.InvariantCulture) };
                await using var bounded = await RelayDaemon.StartAsync(relayDll, "bubblewrap", connections: 2, cancellationToken, environment: environment);
                results.AddRange(await new LimitMeasurements(LimitSamples, progress).MeasureAsync(bounded, cancellationToken));
            }
        }

        if (parts.Contains(BenchPart.Hostile))
        {
            // A fresh daemon, so idle and after are this mix's alone.
            await using var attacked = await StartAsync(relayDll, bwrap is null ? "none" : "bubblewrap", connections: 1, cancellationToken);
            results.AddRange(await new HostileLoad(progress).RunAsync(attacked, notes, cancellationToken));
        }

        if (parts.Contains(BenchPart.Agents))
        {
            if (bwrap is null)
            {
                Skip(skipped, "agents skipped: bwrap is not on PATH");
            }
            else
            {
                // Daemons of its own: each finds its own claude (a fake one, then the real one) on CERVER_AGENT_PATH.
                results.AddRange(await new AgentMeasurements(relayDll, options, progress).MeasureAsync(notes, cancellationToken));
            }
        }

        output.WriteLine();
        ResultTable.Write(output, results);
        foreach (var line in notes.Concat(skipped))
        {
            output.WriteLine(line);
        }

        if (options.JsonPath is { } jsonPath)
        {
            var report = new BenchReport
            {
                StartedAt = startedAt,
                Machine = RuntimeInformation.OSDescription,
                ProcessorCount = Environment.ProcessorCount,
                Runtime = RuntimeInformation.FrameworkDescription,
                Relay = relayDll,
                SamplesPerMeasurement = options.Samples,
                WarmupIterations = options.Warmup,
                Skipped = skipped,
                Notes = notes,
                Results = results,
            };
            await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(report, BenchJsonContext.Default.BenchReport), cancellationToken);
            output.WriteLine($"results written to {jsonPath}");
        }

        return 0;
    }

    /// <summary>Each kill holds thousands of processes for seconds: a few samples, no warm-up.</summary>
    private int LimitSamples => Math.Min(options.Samples, 3);

    /// <summary>
    /// The header's sample counts: <c>--samples</c> and <c>--warmup</c> as the parts that take
    /// them whole use them, then each part that takes fewer (load and hostile count calls instead).
    /// </summary>
    private IEnumerable<string> SampleCounts(IReadOnlySet<BenchPart> parts)
    {
        if (parts.Contains(BenchPart.Compute) || parts.Contains(BenchPart.Sessions) || parts.Contains(BenchPart.Link))
        {
            yield return $"{options.Samples} samples per measurement after {options.Warmup} warm-up iterations";
        }

        if (parts.Contains(BenchPart.Link))
        {
            yield return $"link streams: {options.StreamSamples} samples after {StreamWarmup} warm-up iteration";
        }

        if (parts.Contains(BenchPart.Limits))
        {
            yield return $"limits: {LimitSamples} samples without warm-up";
        }

        if (parts.Contains(BenchPart.Agents))
        {
            yield return AgentMeasurements.SampleCounts(options);
        }
    }

    /// <summary>The compute API against raw baselines: sandbox create, run, first streamed byte, then idle RSS.</summary>
    private async Task<List<MeasurementResult>> MeasureComputeAsync(
        Interleaver sampler, RelayDaemon[] daemons, string sh, CancellationToken cancellationToken)
    {
        var results = new List<MeasurementResult>();
        var none = daemons[0];
        var sandboxed = daemons.Length > 1 ? daemons[1] : null;
        var sandboxes = new Dictionary<RelayDaemon, string>();
        foreach (var daemon in daemons)
        {
            sandboxes[daemon] = (await daemon.Client.CreateSandboxAsync(cancellationToken)).SandboxId;
        }

        // a. sandbox create — no baseline; each new sandbox is deleted outside the timing,
        //    since the relay caps the number of live sandboxes.
        foreach (var daemon in daemons)
        {
            var (created, _) = await sampler.RunAsync($"sandbox create ({daemon.Isolation})", async token =>
            {
                var (id, milliseconds) = await daemon.Client.CreateSandboxAsync(token);
                await daemon.Client.DeleteSandboxAsync(id, token);
                return milliseconds;
            }, baseline: null, cancellationToken);
            results.Add(MeasurementResult.From($"sandbox create ({daemon.Isolation})", "ms", created, new Target.AtMost(5)));
        }

        // b. unsandboxed run vs starting sh directly.
        var (run, spawn) = await sampler.RunAsync("run 'true' (none)",
            token => none.Client.RunAsync(sandboxes[none], TrueCode, token),
            token => Baselines.SpawnAsync(sh, ["-c", TrueCode], token),
            cancellationToken);
        results.Add(MeasurementResult.From("run 'true' (none)", "ms", run, new Target.RatioAtMost(1.5),
            $"spawn {sh} -c true from this process", spawn));

        // c. bubblewrap run vs the relay's own launch chain started directly.
        var workspace = sandboxed is null ? null : Directory.CreateDirectory(Path.Combine(sandboxed.Home, "bench-workspace")).FullName;
        var sandboxedTrue = sandboxed is null ? default : Baselines.SandboxedCommand(workspace!, sandboxed.Home, sh, ["-c", TrueCode]);
        var sandboxedTimestamp = sandboxed is null ? default : Baselines.SandboxedCommand(workspace!, sandboxed.Home, sh, ["-c", TimestampCode]);
        if (sandboxed is not null)
        {
            var (bwrapRun, bwrapSpawn) = await sampler.RunAsync("run 'true' (bubblewrap)",
                token => sandboxed.Client.RunAsync(sandboxes[sandboxed], TrueCode, token),
                token => Baselines.SpawnAsync(sandboxedTrue.FileName, sandboxedTrue.Arguments, token),
                cancellationToken);
            results.Add(MeasurementResult.From("run 'true' (bubblewrap)", "ms", bwrapRun, new Target.RatioAtMost(1.2),
                $"spawn the relay's launch chain (sh loading the seccomp filter, bwrap, setpriv as root, prlimit) around {sh} -c true from this process", bwrapSpawn));
        }

        // d. first streamed byte: the process's own timestamp to this process reading it.
        var (streamed, piped) = await sampler.RunAsync("first streamed byte (none)",
            token => none.Client.FirstStreamedLineAsync(sandboxes[none], TimestampCode, token),
            token => Baselines.FirstLineAsync(sh, ["-c", TimestampCode], token),
            cancellationToken);
        results.Add(MeasurementResult.From("first streamed byte (none)", "ms", streamed, new Target.AtMost(2),
            $"first line read from the stdout pipe of {sh} -c '{TimestampCode}' started here", piped));
        if (sandboxed is not null)
        {
            var (bwrapStreamed, bwrapPiped) = await sampler.RunAsync("first streamed byte (bubblewrap)",
                token => sandboxed.Client.FirstStreamedLineAsync(sandboxes[sandboxed], TimestampCode, token),
                token => Baselines.FirstLineAsync(sandboxedTimestamp.FileName, sandboxedTimestamp.Arguments, token),
                cancellationToken);
            results.Add(MeasurementResult.From("first streamed byte (bubblewrap)", "ms", bwrapStreamed, new Target.AtMost(2),
                $"first line read from the stdout pipe of the relay's launch chain around {sh} -c '{TimestampCode}' started here", bwrapPiped));
        }

        foreach (var daemon in daemons)
        {
            await daemon.Client.DeleteSandboxAsync(sandboxes[daemon], cancellationToken);
        }

        // e. idle RSS: every daemon is warm now (it has served all of the above).
        progress.WriteLine($"  idle RSS: settling {Settle.TotalSeconds:0} s");
        await Task.Delay(Settle, cancellationToken);
        foreach (var daemon in daemons)
        {
            var megabytes = daemon.Memory().ResidentBytes / 1e6;
            results.Add(MeasurementResult.From($"idle RSS ({daemon.Isolation})", "MB", [megabytes], new Target.AtMost(60)));
        }

        return results;
    }

    private async Task<RelayDaemon> StartAsync(string relayDll, string isolation, int connections, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        // Room for every session of the load (each holds a sandbox) beside the measurements' own.
        var environment = new Dictionary<string, string> { ["CERVER_MAX_SANDBOXES"] = Math.Max(64, connections + 16).ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var daemon = await RelayDaemon.StartAsync(relayDll, isolation, connections, cancellationToken, environment: environment);
        progress.WriteLine($"  started the {isolation} relay on 127.0.0.1:{daemon.Port} (pid {daemon.ProcessId}, CERVER_HOME {daemon.Home}) in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
        return daemon;
    }

    private void Skip(List<string> skipped, string line)
    {
        skipped.Add(line);
        progress.WriteLine($"  {line}");
    }

    /// <summary>--relay, or the Release build of src/Relay in the repository this benchmark lives in (or is run from).</summary>
    private string LocateRelay()
    {
        if (options.RelayPath is { } given)
        {
            return File.Exists(given) ? Path.GetFullPath(given) : throw new BenchException($"--relay: {given} does not exist");
        }

        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "CerverRelay.sln")))
                {
                    var dll = Path.Combine(directory.FullName, "src", "Relay", "bin", "Release", "net10.0", "cerver-relay.dll");
                    return File.Exists(dll) ? dll
                        : throw new BenchException($"{dll} does not exist; build the relay first: dotnet build src/Relay -c Release (or pass --relay PATH)");
                }
            }
        }

        throw new BenchException("could not find the repository (CerverRelay.sln) above this program or the current folder; pass --relay PATH");
    }
}
