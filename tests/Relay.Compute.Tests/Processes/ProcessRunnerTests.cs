using System.Collections.Immutable;
using System.Text;
using Cerver.Relay.Compute.Processes;
using CliWrap;
using Microsoft.Extensions.Time.Testing;

namespace Cerver.Relay.Compute.Tests.Processes;

/// <summary>Stopping real process groups on a clock the test moves.</summary>
public sealed class ProcessRunnerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task A_timeout_kills_a_session_of_a_thousand_processes_and_answers()
    {
        const string marker = "3301.125";
        var output = new SignallingTarget();
        var run = Runner().RunAsync(Session($"i=0; while [ $i -lt 1000 ]; do sleep {marker} & i=$((i+1)); done; echo ready; wait"), null, Timeout, output, PipeTarget.Null, CancellationToken.None);
        await output.Ready.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(Count(marker) >= 1000);

        _time.Advance(Timeout);
        var outcome = await run.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(outcome.TimedOut);
        Assert.Equal(ProcessOutcome.KilledExitCode, outcome.ExitCode);
        Assert.Equal(0, await CountWhenSettledAsync(marker));
    }

    [Fact]
    public async Task A_cancel_kills_the_session_and_is_reported_as_a_cancel()
    {
        const string marker = "3301.25";
        var output = new SignallingTarget();
        using var cancel = new CancellationTokenSource();
        var run = Runner().RunAsync(Session($"sleep {marker} & sleep {marker} & echo ready; wait"), null, Timeout, output, PipeTarget.Null, cancel.Token);
        await output.Ready.WaitAsync(TimeSpan.FromMinutes(1));

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.Equal(0, await CountWhenSettledAsync(marker));
    }

    [Fact]
    public async Task A_process_that_left_the_group_and_holds_the_pipe_ends_the_run_after_the_grace()
    {
        const string marker = "3301.5";
        var output = new SignallingTarget();
        var run = Runner().RunAsync(Session($"setsid sleep {marker} & echo \"$! ready\"; wait"), null, Timeout, output, PipeTarget.Null, CancellationToken.None);
        await output.Ready.WaitAsync(TimeSpan.FromMinutes(1));
        try
        {
            _time.Advance(Timeout);
            Assert.False(run.IsCompleted);

            // The grace timer starts once the runner has seen its kill land, which a loaded machine
            // may take a moment to do: keep moving the clock until the run is over.
            for (var step = 0; step < 600 && !run.IsCompleted; step++)
            {
                _time.Advance(ProcessRunner.PipeGrace);
                await Task.WhenAny(run, Task.Delay(100));
            }

            var outcome = await run.WaitAsync(TimeSpan.FromMinutes(1));

            Assert.True(outcome.TimedOut);
            Assert.Equal(ProcessOutcome.KilledExitCode, outcome.ExitCode);
        }
        finally
        {
            using var escaped = System.Diagnostics.Process.GetProcessById(int.Parse(output.Text.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
            escaped.Kill();
        }
    }

    [Fact]
    public async Task A_run_outlives_the_thread_that_started_it_under_die_with_parent()
    {
        var bwrap = Runtimes.ExecutableSearch.Find("bwrap");
        Assert.SkipWhen(bwrap is null, "needs bwrap");
        var spec = new ProcessSpec(bwrap!, ["--die-with-parent", "--unshare-pid", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "/bin/sh", "-c", "sleep 1; echo alive"],
            Path.GetTempPath(), ImmutableDictionary<string, string>.Empty.Add("PATH", "/usr/bin:/bin"));
        var output = new SignallingTarget();
        Task<ProcessOutcome>? run = null;

        // PR_SET_PDEATHSIG fires when the thread that forked the process exits, not the process.
        var starter = new Thread(() => run = Runner().RunAsync(spec, null, Timeout, output, PipeTarget.Null, CancellationToken.None));
        starter.Start();
        starter.Join();
        var outcome = await run!.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("alive\n", output.Text);
    }

    [Fact]
    public async Task Runs_killed_while_their_sandboxes_start_leave_no_sandbox_behind()
    {
        var bwrap = Runtimes.ExecutableSearch.Find("bwrap");
        Assert.SkipWhen(bwrap is null, "needs bwrap");
        const string marker = "3302.75";
        var spec = new ProcessSpec(bwrap!, ["--die-with-parent", "--new-session", "--unshare-pid", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "/bin/sh", "-c", $"sleep {marker}"],
            Path.GetTempPath(), ImmutableDictionary<string, string>.Empty.Add("PATH", "/usr/bin:/bin"));

        // Killed bwrap's children only die with it once they have armed their parent-death
        // signal: kills spread over a sandbox's first milliseconds land before that in some runs.
        var runs = Enumerable.Range(0, 40).Select(async index =>
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(index % 20));
            try
            {
                await new ProcessRunner(TimeProvider.System).RunAsync(spec, null, Timeout, PipeTarget.Null, PipeTarget.Null, cancel.Token);
            }
            catch (OperationCanceledException)
            {
                // The cancel this test asked for.
            }
        });
        await Task.WhenAll(runs).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(0, await CountWhenSettledAsync(marker));
    }

    private ProcessRunner Runner() => new(_time);

    /// <summary>What the none backend starts: the run as the leader of its own session.</summary>
    private static ProcessSpec Session(string script) =>
        new("/usr/bin/setsid", ["-w", "/bin/sh", "-c", script], Path.GetTempPath(), ImmutableDictionary<string, string>.Empty.Add("PATH", "/usr/bin:/bin"));

    private static int Count(string marker)
    {
        var count = 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                if (File.ReadAllText(Path.Combine(directory, "cmdline")).Contains(marker, StringComparison.Ordinal) && !stat.Contains(") Z ", StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Not a process, or it ended while we looked.
            }
        }

        return count;
    }

    /// <summary>SIGKILL is delivered at once but reaped asynchronously: polls, bounded, until none is left.</summary>
    private static async Task<int> CountWhenSettledAsync(string marker)
    {
        for (var attempt = 0; attempt < 200 && Count(marker) > 0; attempt++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        return Count(marker);
    }

    private sealed class SignallingTarget : PipeTarget
    {
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly StringBuilder _text = new();

        public Task Ready => _ready.Task;

        public string Text
        {
            get
            {
                lock (_text)
                {
                    return _text.ToString();
                }
            }
        }

        public override async Task CopyFromAsync(Stream origin, CancellationToken cancellationToken = default)
        {
            var buffer = new byte[4096];
            int read;
            while ((read = await origin.ReadAsync(buffer, cancellationToken)) > 0)
            {
                lock (_text)
                {
                    _text.Append(Encoding.UTF8.GetString(buffer, 0, read));
                }

                if (Text.Contains("ready", StringComparison.Ordinal))
                {
                    _ready.TrySetResult();
                }
            }
        }
    }
}
