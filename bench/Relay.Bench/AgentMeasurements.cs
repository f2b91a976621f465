using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cerver.Relay.TestKit.AgentClis;
using Cerver.Relay.TestKit.ModelStandIns;

namespace Cerver.Relay.Bench;

/// <summary>
/// What an agent session adds, on bubblewrap daemons of its own: from <c>/input</c> to the
/// agent's process running, beyond what the same process started by a plain streamed run in
/// the same sandbox costs; how soon a line the agent prints is readable through <c>?since=</c>
/// and the transcript stream; and a whole one-turn session of the real Claude Code against the
/// same <c>claude -p</c> started directly. The first two use a fake <c>claude</c> (a shell
/// script that stamps its start and one line with the wall clock) so the CLI's own time is
/// nothing; the last runs the real one against a loopback Messages API.
/// </summary>
internal sealed partial class AgentMeasurements(string relayDll, BenchOptions options, TextWriter progress)
{
    /// <summary>The name the fake is started by in a plain run, in the workspace of the session's sandbox.</summary>
    private const string WorkspaceScript = "relay-bench-agent";

    private const string FakePrompt = "relay-bench: stamp the clock";
    private const string ClaudePrompt = "relay-bench: say this back";
    private const string AnthropicKey = "sk-ant-relay-bench-0123456789";

    /// <summary>A fake turn lands four entries (the input, two texts, the completion) and a claude turn a few more; more is a runaway.</summary>
    private const int MaxEntriesPerTurn = 64;

    /// <summary>At most this many <c>?since=</c> reads per polled turn (a fake turn takes under 100 ms, a read about 1 ms).</summary>
    private const int MaxPollsPerTurn = 200_000;

    /// <summary>
    /// At most this many samples (and a tenth as many warm-ups) of each fake-claude measurement:
    /// a sample is a turn and a sandboxed run of about 150 ms each on a 2-core machine, and the
    /// part must end within about three minutes with the real claude's turns after them.
    /// </summary>
    private const int MaxFakeSamples = 100;

    /// <summary>At most this many samples (after at most two warm-ups) of the real claude: a turn takes about 1 to 1.5 s.</summary>
    private const int MaxClaudeSamples = 20;

    private const int MaxClaudeWarmup = 2;

    private static readonly TimeSpan FakeTurnTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ClaudeTurnTimeout = TimeSpan.FromSeconds(120);

    /// <summary>
    /// The fake <c>claude</c>: stamps its start, says it started, reports a session id (so later
    /// turns resume it and the relay carries no earlier conversation into the prompt), then
    /// prints a line stamped just before it is printed, and a result. The sleeps keep each line
    /// apart from the one before and from the exit, so neither rides on the other's handling.
    /// </summary>
    private const string FakeScript = """
        #!/bin/sh
        started=$(date +%s%N)
        printf '{"type":"assistant","message":{"content":[{"type":"text","text":"started %s"}]}}\n' "$started"
        printf '{"type":"system","subtype":"init","session_id":"relay-bench-fake","model":"relay-bench-fake"}\n'
        sleep 0.02
        printf '{"type":"assistant","message":{"content":[{"type":"text","text":"printed %s"}]}}\n' "$(date +%s%N)"
        sleep 0.02
        printf '{"type":"result","subtype":"success","is_error":false,"session_id":"relay-bench-fake","usage":{"input_tokens":1,"output_tokens":1}}\n'
        """;

    public async Task<IReadOnlyList<MeasurementResult>> MeasureAsync(List<string> notes, CancellationToken cancellationToken)
    {
        var loadBefore = LoadAverage();
        var results = new List<MeasurementResult>();
        results.AddRange(await MeasureFakeAgentAsync(notes, cancellationToken));
        results.AddRange(await MeasureClaudeAsync(notes, cancellationToken));
        // Both sides of a sample share the machine, but a busy one (tests running beside) still skews latencies: say how busy it was.
        notes.Add($"agents: 1-minute load average {loadBefore} at the start, {LoadAverage()} at the end, on {Environment.ProcessorCount} CPUs");
        return results;
    }

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>Process start and entry latency with the fake <c>claude</c>, on one session reused for every turn.</summary>
    private async Task<IReadOnlyList<MeasurementResult>> MeasureFakeAgentAsync(List<string> notes, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new BenchException("the agents part needs Linux: its daemons run bubblewrap");
        }

        var folder = Directory.CreateTempSubdirectory("cerver-bench-fake-agent-").FullName;
        try
        {
            // The sandbox runs as a user of its own: the folder and the script must be readable by anyone.
            File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
            var script = Path.Combine(folder, "claude");
            await File.WriteAllTextAsync(script, Script(), cancellationToken);
            File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);

            var started = Stopwatch.GetTimestamp();
            await using var daemon = await RelayDaemon.StartAsync(relayDll, "bubblewrap", connections: 1, cancellationToken,
                environment: AgentDaemonSettings(folder));
            var client = daemon.Client;
            var compute = await client.LocalComputeAsync(cancellationToken);
            var session = await client.CreateAgentSessionAsync(compute, "claude", cancellationToken);
            var sandbox = await client.SandboxOfAsync(session, cancellationToken);
            // The same script in the session's own workspace, for the plain runs to start.
            var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(Script()));
            await client.RunAsync(sandbox, $"printf '%s' '{encoded}' | base64 -d > {WorkspaceScript} && chmod 755 {WorkspaceScript}", cancellationToken);
            progress.WriteLine($"  agents: fake claude in {folder}; bubblewrap relay on 127.0.0.1:{daemon.Port} (pid {daemon.ProcessId}), session {session} on sandbox {sandbox}, ready in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");

            var turns = new FakeTurns(client, session);
            var sampler = new Interleaver(FakeWarmup(options), FakeSamples, progress);

            // The start and the stream's latency come from the same turns: the stream is read anyway, and nothing else runs beside it.
            var streamedLatency = new List<double>();
            var runStreamLatency = new List<double>();
            var startName = "agent process start (bubblewrap)";
            var (starts, runStarts) = await sampler.RunAsync(startName, async token =>
            {
                var turn = await turns.StreamedAsync(token);
                streamedLatency.Add(turn.PrintedLatencyMs);
                return turn.StartMs;
            }, async token =>
            {
                var (sentNs, lines) = await client.StreamRunAsync(sandbox, $"exec ./{WorkspaceScript}", token);
                var (startedNs, _) = Stamped(lines, "started");
                var (printedNs, printedReceivedNs) = Stamped(lines, "printed");
                runStreamLatency.Add((printedReceivedNs - printedNs) / 1e6);
                return (startedNs - sentNs) / 1e6;
            }, cancellationToken);

            // The poll gets turns of its own: a tight poll loop takes CPU the daemon and the agent would otherwise have.
            var pollCounts = new List<double>();
            var pollMilliseconds = new List<double>();
            var (polled, piped) = await sampler.RunAsync("agent entry via ?since poll (bubblewrap)", async token =>
            {
                var turn = await turns.PolledAsync(token);
                pollCounts.Add(turn.Polls);
                pollMilliseconds.Add(turn.PollMs);
                return turn.PrintedLatencyMs;
            }, token => PipedLatencyAsync(script, token), cancellationToken);

            await client.DeleteAgentSessionAsync(session, cancellationToken);
            notes.Add($"agents: the fake-claude measurements reuse one session (sandbox {sandbox}) for every turn; each turn resumes the fake's "
                + "session id, so the relay carries no earlier conversation into the prompt. The plain runs start the same script in that "
                + $"session's workspace with 'exec ./{WorkspaceScript}'.");
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"agents: ?since polling read {Percentiles.Median(Measured(pollCounts)):0} times per turn (median), {Percentiles.Median(Measured(pollMilliseconds)):0.00} ms a read (median of each turn's mean)"));
            return
            [
                MeasurementResult.From(startName, "ms", starts, new Target.DifferenceAtMost(10),
                    $"the same script's start through POST /sandbox/{{id}}/run/stream in the session's own sandbox (its timestamp − the request's send)", runStarts),
                MeasurementResult.From("agent entry via ?since poll (bubblewrap)", "ms", polled, new Target.AtMost(5),
                    "the same line read from the stdout pipe of the script started here, unsandboxed", piped),
                MeasurementResult.From("agent entry via /stream (bubblewrap)", "ms", Measured(streamedLatency), new Target.AtMost(5),
                    "the same line through POST /sandbox/{id}/run/stream in the same sandbox", Measured(runStreamLatency)),
            ];
        }
        finally
        {
            RelayDaemon.DeleteHome(folder);
        }
    }

    /// <summary>A whole one-turn session of the real Claude Code through the relay against the same run started here.</summary>
    private async Task<IReadOnlyList<MeasurementResult>> MeasureClaudeAsync(List<string> notes, CancellationToken cancellationToken)
    {
        var installing = Stopwatch.GetTimestamp();
        var claude = await PinnedAgentClis.ClaudeAsync(cancellationToken);
        // The relay starts the file the link points at; so does the baseline.
        var executable = File.ResolveLinkTarget(claude, returnFinalTarget: true)?.FullName ?? claude;
        progress.WriteLine($"  agents: claude {PinnedAgentClis.ClaudeCodeVersion} at {executable} ({Stopwatch.GetElapsedTime(installing).TotalSeconds:0.0} s to find or install)");

        await using var anthropic = await AnthropicStandIn.StartAsync(cancellationToken);
        await using var daemon = await RelayDaemon.StartAsync(relayDll, "bubblewrap", connections: 1, cancellationToken,
            environment: AgentDaemonSettings(Path.GetDirectoryName(claude)!));
        await File.WriteAllTextAsync(Path.Combine(daemon.Home, "relay", "agents.env"),
            $"ANTHROPIC_BASE_URL={anthropic.BaseUrl}\nANTHROPIC_API_KEY={AnthropicKey}\n", cancellationToken);
        var client = daemon.Client;
        var compute = await client.LocalComputeAsync(cancellationToken);

        var sampler = new Interleaver(ClaudeWarmup(options), ClaudeSamples(options), progress);
        var name = "claude one-turn session (bubblewrap)";
        var (relayed, direct) = await sampler.RunAsync(name,
            token => RelayedClaudeTurnAsync(client, compute, token),
            token => DirectClaudeAsync(executable, anthropic.BaseUrl, token),
            cancellationToken);
        notes.Add($"agents: each claude sample is a fresh session (created and deleted outside the timing, as `cerver run` makes one), timed from "
            + "sending POST /input to reading session_completed on its /stream; the baseline starts the same binary here with the harness's "
            + "arguments and variables, fresh HOME and CLAUDE_CONFIG_DIR folders and the prompt on stdin, until it exits and its pipes close. "
            + $"The stand-in answered {anthropic.MessageRequests.Count} Messages calls in all.");
        return
        [
            MeasurementResult.From(name, "ms", relayed, new Target.RatioAtMost(1.1),
                "the same claude -p run started here, unsandboxed", direct),
        ];
    }

    /// <summary>One fresh session, one turn: from sending the prompt to reading the turn's <c>session_completed</c> on the stream.</summary>
    private static async Task<double> RelayedClaudeTurnAsync(RelayClient client, string compute, CancellationToken cancellationToken)
    {
        var session = await client.CreateAgentSessionAsync(compute, "claude", cancellationToken);
        double elapsed;
        var texts = new List<string>();
        using (var stream = await client.OpenStreamAsync(session, 0, cancellationToken))
        {
            var started = Stopwatch.GetTimestamp();
            await client.InputAsync(session, ClaudePrompt, cancellationToken);
            for (var read = 0; ; read++)
            {
                var entry = read < MaxEntriesPerTurn ? await stream.NextAsync(ClaudeTurnTimeout, cancellationToken)
                    : throw new BenchException($"the claude turn of session {session} landed more than {MaxEntriesPerTurn} entries");
                if (entry.Kind == "text")
                {
                    texts.Add(entry.Content);
                }
                else if (entry.Kind == "session_completed")
                {
                    elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    ExpectSucceeded(entry, session);
                    break;
                }
            }
        }

        if (!texts.Contains($"echo: {ClaudePrompt}", StringComparer.Ordinal))
        {
            throw new BenchException($"the claude turn of session {session} did not answer 'echo: {ClaudePrompt}': {string.Join(" | ", texts)}");
        }

        await client.DeleteAgentSessionAsync(session, cancellationToken);
        return elapsed;
    }

    /// <summary>
    /// <c>claude</c> as the Claude harness starts it — its arguments, its variables, the prompt on
    /// stdin — with fresh HOME and CLAUDE_CONFIG_DIR folders as a fresh session's, and otherwise
    /// only what the sandbox's environment holds; timed until it has exited and its pipes closed.
    /// </summary>
    private static async Task<double> DirectClaudeAsync(string executable, string baseUrl, CancellationToken cancellationToken)
    {
        var root = Directory.CreateTempSubdirectory("cerver-bench-claude-").FullName;
        try
        {
            var home = Directory.CreateDirectory(Path.Combine(root, "home")).FullName;
            var info = new ProcessStartInfo(executable)
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
                WorkingDirectory = home,
            };
            foreach (var argument in new[] { "-p", "--output-format", "stream-json", "--verbose", "--permission-mode", "bypassPermissions" })
            {
                info.ArgumentList.Add(argument);
            }

            info.Environment.Clear();
            info.Environment["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
            info.Environment["HOME"] = home;
            info.Environment["TMPDIR"] = Directory.CreateDirectory(Path.Combine(root, "tmp")).FullName;
            info.Environment["LANG"] = "C.UTF-8";
            info.Environment["LC_ALL"] = "C.UTF-8";
            info.Environment["TERM"] = "dumb";
            info.Environment["CLAUDE_CONFIG_DIR"] = Directory.CreateDirectory(Path.Combine(root, "config")).FullName;
            info.Environment["ANTHROPIC_BASE_URL"] = baseUrl;
            info.Environment["ANTHROPIC_API_KEY"] = AnthropicKey;
            info.Environment["IS_SANDBOX"] = "1";
            info.Environment["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1";
            info.Environment["DISABLE_AUTOUPDATER"] = "1";

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ClaudeTurnTimeout);
            var started = Stopwatch.GetTimestamp();
            using var process = Process.Start(info) ?? throw new BenchException($"could not start {executable}");
            try
            {
                var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
                var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
                await process.StandardInput.WriteAsync(ClaudePrompt.AsMemory(), timeout.Token);
                process.StandardInput.Close();
                await process.WaitForExitAsync(timeout.Token);
                await Task.WhenAll(stdout, stderr);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                return process.ExitCode == 0 && (await stdout).Contains($"echo: {ClaudePrompt}", StringComparison.Ordinal)
                    ? elapsed
                    : throw new BenchException($"claude started here exited with {process.ExitCode} without answering 'echo: {ClaudePrompt}': {(await stderr).Trim()} {(await stdout).Trim()}");
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
        }
        finally
        {
            RelayDaemon.DeleteHome(root);
        }
    }

    /// <summary>The fake started here, unsandboxed: its stamped line read from the stdout pipe, the floor of any way of reading it.</summary>
    private static async Task<double> PipedLatencyAsync(string script, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(script)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(FakeTurnTimeout);
        using var process = Process.Start(info) ?? throw new BenchException($"could not start {script}");
        try
        {
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            var lines = new List<(string, long)>();
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                lines.Add((line, WallClock.NowNs()));
            }

            await process.WaitForExitAsync(timeout.Token);
            await stderr;
            var (printedNs, receivedNs) = Stamped(lines, "printed");
            return process.ExitCode == 0 ? (receivedNs - printedNs) / 1e6
                : throw new BenchException($"{script} started here exited with {process.ExitCode}: {(await stderr).Trim()}");
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    /// <summary>
    /// The daemon's settings: where <c>claude</c> is, and every model credential of this
    /// process's environment blanked, since the daemon's environment wins over <c>agents.env</c>.
    /// </summary>
    private static Dictionary<string, string> AgentDaemonSettings(string agentFolder)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal) { ["CERVER_AGENT_PATH"] = agentFolder };
        foreach (var name in Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            if (name.StartsWith("ANTHROPIC_", StringComparison.Ordinal) || name.StartsWith("CLAUDE_", StringComparison.Ordinal))
            {
                settings[name] = "";
            }
        }

        return settings;
    }

    /// <summary>The script with the line ends a shell needs, whatever this file was checked out with.</summary>
    private static string Script() => FakeScript.Replace("\r", "", StringComparison.Ordinal) + "\n";

    /// <summary>The timestamp a fake's line of this kind carries, and when the line was read.</summary>
    private static (long StampNs, long ReceivedNs) Stamped(IEnumerable<(string Line, long ReceivedNs)> lines, string kind)
    {
        foreach (var (line, receivedNs) in lines)
        {
            var match = StampedText().Match(line);
            if (match.Success && match.Groups["kind"].Value == kind)
            {
                return (long.Parse(match.Groups["ns"].Value, NumberStyles.None, CultureInfo.InvariantCulture), receivedNs);
            }
        }

        throw new BenchException($"the fake claude printed no '{kind}' line: {string.Join(" | ", lines.Select(line => line.Line))}");
    }

    /// <summary>The samples of a list filled beside an <see cref="Interleaver"/>, without its warm-up iterations (which come first).</summary>
    private List<double> Measured(List<double> all) => all.GetRange(all.Count - FakeSamples, FakeSamples);

    private int FakeSamples => FakeSampleCount(options);

    /// <summary>What this part takes of <c>--samples</c> and <c>--warmup</c>, for the run's header.</summary>
    public static string SampleCounts(BenchOptions options) =>
        $"agents: {FakeSampleCount(options)} samples per fake-claude measurement after {FakeWarmup(options)} warm-up iterations, "
        + $"{ClaudeSamples(options)} claude sessions after {ClaudeWarmup(options)}";

    private static int FakeSampleCount(BenchOptions options) => Math.Min(options.Samples, MaxFakeSamples);

    private static int FakeWarmup(BenchOptions options) => Math.Min(options.Warmup, MaxFakeSamples / 10);

    private static int ClaudeSamples(BenchOptions options) => Math.Min(options.Samples, MaxClaudeSamples);

    private static int ClaudeWarmup(BenchOptions options) => Math.Min(options.Warmup, MaxClaudeWarmup);

    private static void ExpectSucceeded(SessionEntry completion, string session)
    {
        using var document = JsonDocument.Parse(completion.Content);
        if (!document.RootElement.TryGetProperty("exit_code", out var exitCode) || exitCode.GetInt32() != 0)
        {
            throw new BenchException($"the turn of session {session} did not succeed: {completion.Content}");
        }
    }

    [GeneratedRegex("\"text\":\"(?<kind>started|printed) (?<ns>[0-9]+)\"")]
    private static partial Regex StampedText();

    /// <summary>Turns of the fake on one session; each starts after the previous one's completion.</summary>
    private sealed class FakeTurns(RelayClient client, string session)
    {
        /// <summary>The last entry read: the next turn's entries come after it.</summary>
        private long _after;

        /// <summary>
        /// A turn read from the transcript stream, opened before the prompt is sent: the agent's
        /// start after the send, and how late its stamped line arrived.
        /// </summary>
        public async Task<(double StartMs, double PrintedLatencyMs)> StreamedAsync(CancellationToken cancellationToken)
        {
            using var stream = await client.OpenStreamAsync(session, _after, cancellationToken);
            var sentNs = WallClock.NowNs();
            await client.InputAsync(session, FakePrompt, cancellationToken);
            var entries = new List<SessionEntry>();
            for (var read = 0; read < MaxEntriesPerTurn; read++)
            {
                var entry = await stream.NextAsync(FakeTurnTimeout, cancellationToken);
                entries.Add(entry);
                if (entry.Kind == "session_completed")
                {
                    Finish(entries);
                    var (startedNs, _) = Stamped(entries, "started");
                    var (printedNs, receivedNs) = Stamped(entries, "printed");
                    return ((startedNs - sentNs) / 1e6, (receivedNs - printedNs) / 1e6);
                }
            }

            throw new BenchException($"the fake turn of session {session} landed more than {MaxEntriesPerTurn} entries without completing");
        }

        /// <summary>A turn read by polling <c>?since=</c> back to back: how late its stamped line was readable, and the polls it took.</summary>
        public async Task<(double PrintedLatencyMs, int Polls, double PollMs)> PolledAsync(CancellationToken cancellationToken)
        {
            await client.InputAsync(session, FakePrompt, cancellationToken);
            var started = Stopwatch.GetTimestamp();
            var entries = new List<SessionEntry>();
            for (var polls = 1; polls <= MaxPollsPerTurn && Stopwatch.GetElapsedTime(started) < FakeTurnTimeout; polls++)
            {
                var page = await client.ReadSinceAsync(session, entries.Count > 0 ? entries[^1].Seq : _after, cancellationToken);
                entries.AddRange(page);
                if (page.Count > 0 && page[^1].Kind == "session_completed")
                {
                    var pollMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds / polls;
                    Finish(entries);
                    var (printedNs, receivedNs) = Stamped(entries, "printed");
                    return ((receivedNs - printedNs) / 1e6, polls, pollMs);
                }
            }

            throw new BenchException($"the fake turn of session {session} did not complete within {FakeTurnTimeout.TotalSeconds:0} s or {MaxPollsPerTurn} reads");
        }

        /// <summary>Checks the turn succeeded and moves past it.</summary>
        private void Finish(List<SessionEntry> entries)
        {
            ExpectSucceeded(entries[^1], session);
            _after = entries[^1].Seq;
        }

        private static (long StampNs, long ReceivedNs) Stamped(List<SessionEntry> entries, string kind) =>
            AgentMeasurements.Stamped(entries.Where(entry => entry.Kind == "text").Select(entry => (Quoted(entry.Content), entry.ReceivedNs)), kind);

        /// <summary>An entry's text as the script's line held it, so one pattern reads both.</summary>
        private static string Quoted(string text) => $"\"text\":\"{text}\"";
    }
}
