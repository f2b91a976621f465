using System.Diagnostics;
using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Agents.Codex;

namespace Cerver.Relay.Compute.Tests.Agents.Codex;

/// <summary>
/// One turn of the real <c>codex</c> as a plain process (no sandbox: that is the relay's part),
/// started the way the harness asks: its arguments, the prompt on stdin then closed, and an
/// environment of nothing but PATH (for node), a home, the state folder and the turn's variables.
/// Its stdout goes through the harness's parser line by line.
/// </summary>
internal sealed record CodexCliRun(int ExitCode, IReadOnlyList<string> Lines, IReadOnlyList<AgentEvent> Events, string? ReportedError, string Stderr)
{
    /// <summary>Long enough for any healthy turn on a loaded machine; a hung CLI fails the test instead of hanging it.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    public IEnumerable<AgentEntry> Entries => Events.OfType<AgentEntryEvent>().Select(item => item.Entry);

    public string? ThreadId => Events.OfType<AgentSessionEvent>().SingleOrDefault()?.CliSessionId;

    public static async Task<CodexCliRun> StartAsync(string codex, AgentTurn turn, string workspace, string home, string state,
        IReadOnlyDictionary<string, string> variables, CancellationToken cancellationToken)
    {
        var harness = new CodexHarness();
        var launch = harness.BuildLaunch(turn, new AgentTurnContext(codex, workspace, state, variables));
        var start = new ProcessStartInfo(codex)
        {
            WorkingDirectory = workspace,
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
        start.Environment["HOME"] = home;
        start.Environment["LANG"] = "C.UTF-8";
        foreach (var (name, value) in variables.Concat(launch.Environment))
        {
            start.Environment[name] = value;
        }

        start.Environment[harness.StateDirectoryVariable] = state;

        using var process = Process.Start(start) ?? throw new InvalidOperationException("codex did not start");
        var parser = harness.CreateParser();
        var lines = new List<string>();
        var events = new List<AgentEvent>();
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var stdout = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
            {
                lines.Add(line);
                events.AddRange(parser.Parse(line));
            }
        }, cancellationToken);

        await process.StandardInput.WriteAsync(launch.Stdin);
        process.StandardInput.Close();

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Limit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
            await stdout.WaitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"codex did not finish within {Limit.TotalSeconds} s.\nstdout:\n{string.Join('\n', lines)}\nstderr:\n{await stderr}");
        }

        var run = new CodexCliRun(process.ExitCode, lines, events, parser.ReportedError, await stderr);
        TestContext.Current.TestOutputHelper?.WriteLine($"exit {run.ExitCode}\n{string.Join('\n', lines)}\nstderr:\n{run.Stderr}");
        return run;
    }
}
