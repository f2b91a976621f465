using System.Collections;
using System.ComponentModel;
using Cerver.Relay.Compute.Contract;
using CliWrap;

namespace Cerver.Relay.Compute.Processes;

/// <summary>
/// Runs one <see cref="ProcessSpec"/> through CliWrap with a timeout that kills the whole
/// process group. How output is consumed (buffered with a cap, or streamed) is the caller's
/// choice of <see cref="PipeTarget"/>: one runner, two ways to read it.
/// </summary>
public sealed class ProcessRunner(TimeProvider time)
{
    public async Task<ProcessOutcome> RunAsync(
        ProcessSpec spec,
        string? standardInput,
        TimeSpan timeout,
        PipeTarget standardOutput,
        PipeTarget standardError,
        CancellationToken cancellationToken)
    {
        using var timeoutSource = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        var command = Cli.Wrap(spec.FileName)
            .WithArguments(spec.Arguments)
            .WithWorkingDirectory(spec.WorkingDirectory)
            .WithEnvironmentVariables(ScrubbedEnvironment(spec.Environment))
            .WithStandardInputPipe(standardInput is null ? PipeSource.Null : PipeSource.FromString(standardInput))
            .WithStandardOutputPipe(standardOutput)
            .WithStandardErrorPipe(standardError)
            .WithValidation(CommandResultValidation.None);

        var started = time.GetTimestamp();
        CommandTask<CommandResult> task;
        try
        {
            task = command.ExecuteAsync(linked.Token);
        }
        catch (Win32Exception exception)
        {
            throw new ComputeException(ComputeErrorKind.Fault, "process_start_failed",
                $"Could not start '{spec.FileName}': {exception.Message}", exception);
        }

        // CliWrap kills the process tree it can see; killing the group first also takes the
        // children that were re-parented when an intermediate shell exited.
        using var killGroup = linked.Token.Register(static state => ProcessTree.KillGroup((int)state!), task.ProcessId);
        try
        {
            var result = await task;
            return new ProcessOutcome(result.ExitCode, time.GetElapsedTime(started), TimedOut: false);
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new ProcessOutcome(ProcessOutcome.KilledExitCode, time.GetElapsedTime(started), TimedOut: true);
        }
    }

    /// <summary>
    /// CliWrap starts from the relay's own environment; every variable the spec does not name
    /// is removed so none of the relay's settings or keys reach the child.
    /// </summary>
    private static Dictionary<string, string?> ScrubbedEnvironment(System.Collections.Immutable.ImmutableSortedDictionary<string, string> wanted)
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

        return result;
    }
}
