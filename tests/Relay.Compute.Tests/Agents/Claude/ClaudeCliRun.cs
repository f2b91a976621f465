using System.Diagnostics;
using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Agents.Claude;

namespace Cerver.Relay.Compute.Tests.Agents.Claude;

/// <summary>
/// The real <c>claude</c> run as a plain process the way the relay launches it (the harness's
/// arguments, stdin and variables, the state folder variable), against a model endpoint,
/// with a bare environment and temporary home, state and temp folders of its own.
/// </summary>
public sealed class ClaudeCliRun
{
    /// <summary>Far above a turn's second or two: it only turns a hung CLI into a failed test.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    private ClaudeCliRun(int exitCode, IReadOnlyList<string> lines, IReadOnlyList<AgentEvent> events, string stderr, string? reportedError)
    {
        ExitCode = exitCode;
        Lines = lines;
        Events = events;
        Stderr = stderr;
        ReportedError = reportedError;
    }

    public int ExitCode { get; }

    public IReadOnlyList<string> Lines { get; }

    public IReadOnlyList<AgentEvent> Events { get; }

    public string Stderr { get; }

    public string? ReportedError { get; }

    public IEnumerable<AgentEntry> Entries => Events.OfType<AgentEntryEvent>().Select(item => item.Entry);

    public string? SessionId => Events.OfType<AgentSessionEvent>().Select(item => item.CliSessionId).FirstOrDefault(id => id is not null);

    public AgentUsageEvent? Usage => Events.OfType<AgentUsageEvent>().LastOrDefault();

    public string Describe() => $"exit {ExitCode}\nstdout:\n{string.Join('\n', Lines)}\nstderr:\n{Stderr}";

    public static async Task<ClaudeCliRun> RunAsync(
        string executable,
        ClaudeFolders folders,
        string baseUrl,
        AgentTurn turn,
        IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        var harness = new ClaudeHarness();
        var launch = harness.BuildLaunch(turn, new AgentTurnContext(executable, folders.Workspace, folders.State));
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = folders.Workspace,
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
        start.Environment["HOME"] = folders.Home;
        start.Environment["TMPDIR"] = folders.Temp;
        start.Environment["ANTHROPIC_BASE_URL"] = baseUrl;
        start.Environment["ANTHROPIC_API_KEY"] = ClaudeFolders.ApiKey;
        foreach (var (name, value) in launch.Environment.Concat(extraEnvironment ?? new Dictionary<string, string>()))
        {
            start.Environment[name] = value;
        }

        start.Environment[harness.StateDirectoryVariable] = folders.State;

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start");
        using var limit = new CancellationTokenSource(Limit);
        var parser = harness.CreateParser();
        var lines = new List<string>();
        var events = new List<AgentEvent>();
        var stdin = FeedAsync(process, launch.Stdin, limit.Token);
        var stderr = process.StandardError.ReadToEndAsync(limit.Token);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(limit.Token) is { } line)
            {
                lines.Add(line);
                events.AddRange(parser.Parse(line));
            }

            await process.WaitForExitAsync(limit.Token);
            await stdin;
            return new ClaudeCliRun(process.ExitCode, lines, events, await stderr, parser.ReportedError);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"claude did not finish within {Limit.TotalSeconds} s; its output so far:\n{string.Join('\n', lines)}");
        }
    }

    /// <summary>Writes the prompt and closes stdin: left open, <c>claude -p</c> waits for more.</summary>
    private static async Task FeedAsync(Process process, string? stdin, CancellationToken cancellationToken)
    {
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellationToken);
        }

        process.StandardInput.Close();
    }
}

/// <summary>The folders of one test's turns: workspace, state, home and temp, under one temporary root.</summary>
public sealed class ClaudeFolders : IDisposable
{
    public const string ApiKey = "sk-ant-standin-dummy";

    private readonly string _root = Directory.CreateTempSubdirectory("claude-").FullName;

    public ClaudeFolders()
    {
        foreach (var folder in new[] { Workspace, State, Home, Temp })
        {
            Directory.CreateDirectory(folder);
        }
    }

    public string Workspace => Path.Combine(_root, "workspace");

    public string State => Path.Combine(_root, "state");

    public string Home => Path.Combine(_root, "home");

    public string Temp => Path.Combine(_root, "tmp");

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
