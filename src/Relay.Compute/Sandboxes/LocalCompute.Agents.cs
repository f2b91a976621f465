using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Agents.Turns;
using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Compute.Files;
using Cerver.Relay.Compute.Isolation;
using Cerver.Relay.Compute.Processes;
using Cerver.Relay.Compute.Storage;
using Microsoft.Extensions.Logging;

namespace Cerver.Relay.Compute.Sandboxes;

/// <summary>
/// Agent turns: the sandbox's agent CLI runs with the workspace as its home and working
/// directory, network on (it needs its model API; every other rule of the sandbox holds), its
/// harness's credentials and nobody else's, and a state folder outside the workspace so a
/// plain run never reads the login. What it prints becomes events as it prints them.
/// </summary>
public sealed partial class LocalCompute
{
    private const int StderrTailBytes = 4096;
    private const uint OwnerReadWrite = 0b110_000_000;

    public IAsyncEnumerable<AgentEvent> RunAgentTurnAsync(string sandboxId, AgentTurn turn, CancellationToken cancellationToken)
    {
        var record = Find(sandboxId);
        var harness = _agents.Harnesses.Find(turn.Harness)
            ?? throw ComputeException.Invalid("cli_tool", $"'{turn.Harness}' is not an agent this relay runs; use one of {_agents.Harnesses.Names}");
        if (string.IsNullOrEmpty(turn.Prompt))
        {
            throw ComputeException.Invalid("prompt", "is required");
        }

        foreach (var (name, value) in turn.Env ?? new Dictionary<string, string>())
        {
            SandboxEnvironmentBuilder.Validate(name, value, "env");
        }

        return RunTurnAsync(record, harness, turn, cancellationToken);
    }

    /// <summary>The state folder of a sandbox's agents (beside its workspace, never inside it).</summary>
    public string AgentStateOf(string sandboxId) => WorkspaceOf(sandboxId) + ".agent";

    private async IAsyncEnumerable<AgentEvent> RunTurnAsync(SandboxRecord record, IAgentHarness harness, AgentTurn turn,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<AgentEvent>(new BoundedChannelOptions(256) { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(() => ProduceTurnAsync(record, harness, turn, channel.Writer, stop.Token), CancellationToken.None);
        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(CancellationToken.None))
            {
                yield return item;
            }
        }
        finally
        {
            // A reader that leaves early must not leave the agent running.
            await stop.CancelAsync();
            await producer;
        }
    }

    private async Task ProduceTurnAsync(SandboxRecord record, IAgentHarness harness, AgentTurn turn, ChannelWriter<AgentEvent> events, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var usage = new TurnUsage();
        try
        {
            var cli = _agents.Locator.Find(harness);
            if (cli is null)
            {
                await EndTurnAsync(events, started, usage, 127, AgentTurnOutcome.NotInstalled,
                    $"{harness.Name} is not installed on this machine (looked for '{harness.Executable}' on PATH and in the usual user folders). "
                    + $"Install it ({harness.InstallCommand}) as the user the relay runs as, or set CERVER_AGENT_PATH to the folder that holds it, then send the prompt again.");
                return;
            }

            using (await _agents.Slots.EnterAsync(cancellationToken))
            {
                await RunAgentProcessAsync(record, harness, cli, turn, events, started, usage, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await EndTurnAsync(events, started, usage, ProcessOutcome.KilledExitCode, AgentTurnOutcome.Cancelled,
                "The turn was stopped before it finished (it was cancelled, its session deleted, or the relay stopped); its processes were killed. Send the prompt again to retry.");
        }
        catch (ComputeException exception)
        {
            await EndTurnAsync(events, started, usage, ProcessOutcome.KilledExitCode, AgentTurnOutcome.Cancelled, exception.Message);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            LogAgentFault(record.SandboxId, harness.Name, exception.Message);
            await EndTurnAsync(events, started, usage, 1, AgentTurnOutcome.Failed,
                $"The relay could not prepare the {harness.Name} turn: {exception.Message}");
        }
        finally
        {
            events.TryComplete();
        }
    }

    private async Task RunAgentProcessAsync(SandboxRecord record, IAgentHarness harness, AgentCli cli, AgentTurn turn,
        ChannelWriter<AgentEvent> events, long started, TurnUsage usage, CancellationToken cancellationToken)
    {
        var workspace = WorkspaceOf(record.SandboxId);
        var state = await PrepareAgentStateAsync(record.SandboxId, harness);
        var variables = new Dictionary<string, string>(_agents.Credentials.Variables(harness), StringComparer.Ordinal);
        foreach (var (name, value) in turn.Env ?? new Dictionary<string, string>())
        {
            variables[name] = value;
        }

        // Some settings must go on the command line (Codex reads its endpoint only from its config): the harness sees the values.
        var launch = harness.BuildLaunch(turn, new AgentTurnContext(cli.Executable, workspace, state, variables));
        foreach (var (name, value) in launch.Environment)
        {
            variables[name] = value;
        }

        variables[harness.StateDirectoryVariable] = state;
        var spec = await BuildSpecAsync(record, cli.Executable, launch.Arguments, workspace, variables, network: true, [state], cli.InstallRoots);

        var parser = harness.CreateParser();
        using var watchdog = new StallWatchdog(turn.StallTimeout ?? _options.Agents.StallTimeout, _time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, watchdog.Token);
        var stdout = new AgentLineTarget(async line =>
        {
            foreach (var item in parser.Parse(line))
            {
                usage.Observe(item);
                await events.WriteAsync(item, CancellationToken.None);
            }
        }, watchdog.Touch, _options.Agents.MaxLineBytes);
        var stderr = new OutputTail(StderrTailBytes, watchdog.Touch);
        LogAgentTurnStarted(record.SandboxId, harness.Name, turn.CliSessionId is not null);
        await events.WriteAsync(new AgentSessionEvent(null, null, null) { WorkingDirectory = workspace }, CancellationToken.None);

        ProcessOutcome outcome;
        try
        {
            outcome = await ExecuteAsync(record, spec, launch.Stdin, turn.Timeout ?? _options.Agents.TurnTimeout, stdout, stderr,
                new RunWhat(RunKind.AgentTurn, $"{harness.Name} turn"), stop.Token);
        }
        catch (OperationCanceledException) when (watchdog.Fired && !cancellationToken.IsCancellationRequested)
        {
            var stall = turn.StallTimeout ?? _options.Agents.StallTimeout;
            await EndTurnAsync(events, started, usage, ProcessOutcome.KilledExitCode, AgentTurnOutcome.Stalled,
                $"{harness.Name} printed nothing for {Describe(stall)} and was stopped (stall watchdog). "
                + "Its model endpoint may be unreachable or the CLI may be waiting for input; check `cerver-relay doctor`, then send the prompt again."
                + StderrNote(stderr));
            return;
        }

        if (outcome.TimedOut)
        {
            await EndTurnAsync(events, started, usage, outcome.ExitCode, AgentTurnOutcome.TimedOut,
                $"The turn ran past its limit of {Describe(turn.Timeout ?? _options.Agents.TurnTimeout)} and was stopped with all its processes. "
                + "Split the task into smaller prompts or raise CERVER_AGENT_TURN_TIMEOUT.");
            return;
        }

        if (outcome.StopReason is { } limit)
        {
            await EndTurnAsync(events, started, usage, outcome.ExitCode, AgentTurnOutcome.Failed, limit);
            return;
        }

        if (outcome.ExitCode != 0 || parser.ReportedError is not null)
        {
            var reported = parser.ReportedError is { } error ? $": {error}" : "";
            await EndTurnAsync(events, started, usage, outcome.ExitCode == 0 ? 1 : outcome.ExitCode, AgentTurnOutcome.Failed,
                $"{harness.Name} ended with exit code {outcome.ExitCode}{reported}. If it is not logged in, log in on this machine "
                + $"or put its API key in {_agents.Credentials.FilePath}; then send the prompt again." + StderrNote(stderr));
            return;
        }

        await EndTurnAsync(events, started, usage, 0, AgentTurnOutcome.Succeeded, null);
    }

    /// <summary>
    /// The harness's state folder for this sandbox, owned by the sandbox's user, with the
    /// subscription login copied in afresh for the turn (the CLI may refresh it there).
    /// </summary>
    private async Task<string> PrepareAgentStateAsync(string sandboxId, IAgentHarness harness)
    {
        var root = AgentStateOf(sandboxId);
        var state = Path.Combine(root, harness.Name);
        var user = _isolation.UserFor(sandboxId);
        foreach (var folder in new[] { root, state })
        {
            if (!Directory.Exists(folder))
            {
                FilePermissions.CreatePrivateDirectory(folder);
                if (user is not null)
                {
                    SandboxOwnership.Give(folder, user);
                }
            }
        }

        // The agent owns its state folder and may plant links there: the login goes in through
        // the workspace file layer, beneath a handle of the folder, replacing a link, never following one.
        var files = new WorkspaceFiles(state, _options.MaxFileBytes, user);
        foreach (var (source, relative) in _agents.Credentials.Files(harness))
        {
            await files.ReplaceAsync(relative, await File.ReadAllBytesAsync(source), OwnerReadWrite, CancellationToken.None);
        }

        return state;
    }

    private async Task EndTurnAsync(ChannelWriter<AgentEvent> events, long started, TurnUsage usage, int exitCode, AgentTurnOutcome outcome, string? failure)
    {
        if (failure is not null)
        {
            await events.WriteAsync(new AgentEntryEvent(AgentEntry.Text(failure)), CancellationToken.None);
        }

        var duration = (long)_time.GetElapsedTime(started).TotalMilliseconds;
        await events.WriteAsync(new AgentTurnCompleted(exitCode, duration, usage.Input, usage.Output, usage.Raw)
        {
            Outcome = outcome,
            Failure = failure,
            UsageIsThreadTotal = usage.ThreadTotal,
        }, CancellationToken.None);
    }

    private static string StderrNote(OutputTail stderr) => stderr.Text is { Length: > 0 } text ? $"\nIts last output on stderr:\n{text}" : "";

    private static string Describe(TimeSpan span) => span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0.#} minutes" : $"{span.TotalSeconds:0.#} seconds";

    /// <summary>The turn's usage as the CLI last reported it.</summary>
    private sealed class TurnUsage
    {
        public long Input { get; private set; }

        public long Output { get; private set; }

        public JsonObject Raw { get; private set; } = [];

        public bool ThreadTotal { get; private set; }

        public void Observe(AgentEvent item)
        {
            if (item is AgentUsageEvent reported)
            {
                Input = reported.InputTokens;
                Output = reported.OutputTokens;
                Raw = reported.Raw;
                ThreadTotal = reported.ThreadTotal;
            }
        }
    }

    [LoggerMessage(LogLevel.Information, "Sandbox {SandboxId}: {Harness} turn started (resumed: {Resumed})")]
    private partial void LogAgentTurnStarted(string sandboxId, string harness, bool resumed);

    [LoggerMessage(LogLevel.Warning, "Sandbox {SandboxId}: the {Harness} turn could not be prepared: {Reason}")]
    private partial void LogAgentFault(string sandboxId, string harness, string reason);
}
