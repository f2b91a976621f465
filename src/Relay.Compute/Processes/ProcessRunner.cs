using System.Collections;
using System.ComponentModel;
using System.Security.Cryptography;
using Cerver.Relay.Compute.Contract;
using CliWrap;

namespace Cerver.Relay.Compute.Processes;

/// <summary>
/// Runs one <see cref="ProcessSpec"/> through CliWrap with a timeout. How output is consumed
/// (buffered with a cap, or streamed) is the caller's choice of <see cref="PipeTarget"/>: one
/// runner, two ways to read it.
/// </summary>
/// <remarks>
/// A stop costs the same with one process as with thousands: the runner kills the process it
/// started and that process's group (<see cref="ProcessTree"/>), never walks the tree. Under
/// bubblewrap the started process is the outer bwrap, whose death takes the sandbox's PID
/// namespace down with it; without isolation the run is its own session. CliWrap's task then
/// ends as the pipes close, and only a process that escaped both and still holds a pipe after
/// <see cref="PipeGrace"/> makes the runner fall back to CliWrap's own (tree-walking) kill.
/// Escaping both happens: bubblewrap killed in the few milliseconds between cloning its
/// sandbox and arming the sandbox's parent-death signal leaves the sandbox running on its
/// own. So every run carries its own id in its environment, and a killed run ends with a
/// sweep for processes still carrying it (<see cref="SandboxProcessReaper"/>).
/// </remarks>
public sealed class ProcessRunner(TimeProvider time)
{
    /// <summary>How long a killed run's pipes may stay open before CliWrap is told to give up on them.</summary>
    public static readonly TimeSpan PipeGrace = TimeSpan.FromSeconds(2);

    /// <summary>Names one run among all the processes of the machine, for the sweep after a kill.</summary>
    public const string RunIdVariable = "CERVER_RUN_ID";

    public async Task<ProcessOutcome> RunAsync(
        ProcessSpec spec,
        string? standardInput,
        TimeSpan timeout,
        PipeTarget standardOutput,
        PipeTarget standardError,
        CancellationToken cancellationToken)
    {
        using var timeoutSource = new CancellationTokenSource(timeout, time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        using var forceful = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        var runId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var command = Cli.Wrap(spec.FileName)
            .WithArguments(spec.Arguments)
            .WithWorkingDirectory(spec.WorkingDirectory)
            .WithEnvironmentVariables(ScrubbedEnvironment(spec.Environment, runId))
            .WithStandardInputPipe(standardInput is null ? PipeSource.Null : PipeSource.FromString(standardInput))
            .WithStandardOutputPipe(standardOutput)
            .WithStandardErrorPipe(standardError)
            .WithValidation(CommandResultValidation.None);

        var started = time.GetTimestamp();
        CommandTask<CommandResult> task;
        CancellationTokenRegistration kill;
        try
        {
            // The kill is armed on the launcher thread right after the fork, before any output can be read.
            (task, kill) = await ProcessLauncher.StartAsync(() =>
            {
                var running = command.ExecuteAsync(forceful.Token);
                return (running, stop.Token.Register(static state =>
                {
                    var (processId, forceful) = ((int, CancellationTokenSource))state!;
                    ProcessTree.KillRun(processId);
                    forceful.CancelAfter(PipeGrace);
                }, (running.ProcessId, forceful)));
            });
        }
        catch (Win32Exception exception)
        {
            throw new ComputeException(ComputeErrorKind.Fault, "process_start_failed",
                $"Could not start '{spec.FileName}': {exception.Message}", exception);
        }

        using var disarm = kill;
        int exitCode;
        try
        {
            exitCode = (await task).ExitCode;
        }
        catch (OperationCanceledException) when (forceful.IsCancellationRequested)
        {
            exitCode = ProcessOutcome.KilledExitCode;
        }

        if (stop.IsCancellationRequested)
        {
            SandboxProcessReaper.KillProcessesWith(RunIdVariable, new HashSet<string>(StringComparer.Ordinal) { runId });
        }

        var timedOut = timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
        if (!timedOut)
        {
            // A caller's stop is an error for the caller to map (deleted, shutting down), not an exit.
            cancellationToken.ThrowIfCancellationRequested();
        }

        return new ProcessOutcome(timedOut ? ProcessOutcome.KilledExitCode : exitCode, time.GetElapsedTime(started), timedOut);
    }

    /// <summary>
    /// CliWrap starts from the relay's own environment; every variable the spec does not name
    /// is removed so none of the relay's settings or keys reach the child. The run's id is set
    /// last, so no spec can hide a run from its sweep.
    /// </summary>
    private static Dictionary<string, string?> ScrubbedEnvironment(System.Collections.Immutable.ImmutableSortedDictionary<string, string> wanted, string runId)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            var name = (string)entry.Key;
            if (!wanted.ContainsKey(name))
            {
                result[name] = null;
            }
        }

        foreach (var (name, value) in wanted)
        {
            result[name] = value;
        }

        result[RunIdVariable] = runId;
        return result;
    }
}
