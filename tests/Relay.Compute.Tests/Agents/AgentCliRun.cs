using System.Diagnostics;
using Cerver.Relay.Compute.Agents;

namespace Cerver.Relay.Compute.Tests.Agents;

/// <summary>
/// One turn of a real agent CLI as a plain process (no sandbox: that is the relay's part),
/// started the way its harness asks: its arguments, the prompt on stdin then closed, and an
/// environment of nothing but PATH (for node), what the test gives and the harness's own
/// variables, with the harness's state folder. Its stdout goes through the harness's parser
/// line by line.
/// </summary>
internal sealed record AgentCliRun(int ExitCode, IReadOnlyList<string> Lines, IReadOnlyList<AgentEvent> Events, string Stderr, string? ReportedError)
{
    /// <summary>Far above a healthy turn on a loaded machine: it only turns a hung CLI into a failed test.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    public IEnumerable<AgentEntry> Entries => Events.OfType<AgentEntryEvent>().Select(item => item.Entry);

    /// <summary>The CLI's own session (Claude) or thread (Codex) id, as it first reported it.</summary>
    public string? SessionId => Events.OfType<AgentSessionEvent>().Select(item => item.CliSessionId).FirstOrDefault(id => id is not null);

    public AgentUsageEvent? Usage => Events.OfType<AgentUsageEvent>().LastOrDefault();

    public string Describe() => $"exit {ExitCode}\nstdout:\n{string.Join('\n', Lines)}\nstderr:\n{Stderr}";

    /// <param name="environment">What the process gets besides PATH and the harness's variables: a home, the model endpoint, its key.</param>
    /// <param name="overrides">Variables that win over the harness's own.</param>
    public static async Task<AgentCliRun> RunAsync(IAgentHarness harness, AgentTurn turn, AgentTurnContext context,
        IReadOnlyDictionary<string, string> environment, IReadOnlyDictionary<string, string>? overrides, CancellationToken cancellationToken)
    {
        var launch = harness.BuildLaunch(turn, context);
        var start = new ProcessStartInfo(context.Executable)
        {
            WorkingDirectory = context.Workspace,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in launch.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        foreach (var (name, value) in environment.Concat(launch.Environment).Concat(overrides ?? new Dictionary<string, string>()))
        {
            start.Environment[name] = value;
        }

        start.Environment[harness.StateDirectoryVariable] = context.StateDirectory;

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{context.Executable} did not start");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Limit);
        var parser = harness.CreateParser();
        var lines = new List<string>();
        var events = new List<AgentEvent>();
        var stdin = FeedAsync(process, launch.Stdin, limit.Token);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(limit.Token) is { } line)
            {
                lines.Add(line);
                events.AddRange(parser.Parse(line));
            }

            await process.WaitForExitAsync(limit.Token);
            await stdin;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{harness.Name} did not finish within {Limit.TotalSeconds} s.\nstdout:\n{string.Join('\n', lines)}\nstderr:\n{await stderr}");
        }

        var run = new AgentCliRun(process.ExitCode, lines, events, await stderr, parser.ReportedError);
        TestContext.Current.TestOutputHelper?.WriteLine(run.Describe());
        return run;
    }

    /// <summary>Writes the prompt, if any, and closes stdin: left open, a CLI in print mode waits for more.</summary>
    private static async Task FeedAsync(Process process, string? stdin, CancellationToken cancellationToken)
    {
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellationToken);
        }

        process.StandardInput.Close();
    }
}
