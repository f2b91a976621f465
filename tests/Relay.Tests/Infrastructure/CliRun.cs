using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Cerver.Relay.Tests.Infrastructure;

/// <summary>
/// A CLI verb still running as a child process: its output collected line by line as it
/// arrives, and Ctrl-C (SIGINT) to end it as a terminal would.
/// </summary>
public sealed class CliRun : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly StringBuilder _stderr = new();
    private readonly SemaphoreSlim _changed = new(0);

    private CliRun(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, line) => Append(line.Data, text => _lines.Add(text), _lines);
        process.ErrorDataReceived += (_, line) => Append(line.Data, text => _stderr.Append(text).Append('\n'), _stderr);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The stdout lines so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public string Stdout => string.Concat(Lines.Select(line => line + "\n"));

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts the verb with SIGINT's default action restored, so that Ctrl-C reaches it.</summary>
    public static CliRun Start(ProcessStartInfo verb)
    {
        // A process started in the background by a non-interactive shell (as a CI runner may start
        // the tests) ignores SIGINT, children inherit that, and .NET keeps an inherited ignore: the
        // verb would never see Ctrl-C. perl (essential on Debian) restores the default before exec.
        verb.ArgumentList.Insert(0, verb.FileName);
        verb.ArgumentList.Insert(0, "$SIG{INT} = 'DEFAULT'; exec { $ARGV[0] } @ARGV or die \"exec: $!\\n\";");
        verb.ArgumentList.Insert(0, "-e");
        verb.FileName = "perl";
        return new CliRun(Process.Start(verb)!);
    }

    /// <summary>Waits until stdout matches, and returns the first group of the match.</summary>
    public async Task<string> WaitForOutputAsync(Regex pattern, TimeSpan limit)
    {
        await WaitAsync(() => pattern.IsMatch(Stdout), $"output matching {pattern}", limit);
        return pattern.Match(Stdout).Groups[1].Value;
    }

    public Task WaitForLineAsync(string line, TimeSpan limit) => WaitAsync(() => Lines.Contains(line), $"the line '{line}'", limit);

    public Task WaitForStderrAsync(string text, TimeSpan limit) => WaitAsync(() => Stderr.Contains(text, StringComparison.Ordinal), $"'{text}' on stderr", limit);

    /// <summary>Sends SIGINT, as Ctrl-C in a terminal does, and waits for the exit code.</summary>
    public async Task<int> InterruptAsync(TimeSpan limit)
    {
        using (var kill = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)])!)
        {
            await kill.WaitForExitAsync();
        }

        return await WaitForExitAsync(limit);
    }

    public async Task<int> WaitForExitAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
        _changed.Dispose();
    }

    private async Task WaitAsync(Func<bool> done, string what, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        while (!done())
        {
            if (_process.HasExited && !done())
            {
                // The exit may come before the last lines are read: wait for the end of both streams.
                _process.WaitForExit();
                if (done())
                {
                    return;
                }

                throw new InvalidOperationException($"the verb exited ({_process.ExitCode}) without {what}: {Stdout} {Stderr}");
            }

            try
            {
                await _changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no {what} within {limit}: {Stdout} {Stderr}");
            }
        }
    }

    private void Append<T>(string? text, Action<string> add, T gate)
        where T : class
    {
        if (text is not null)
        {
            lock (gate)
            {
                add(text);
            }
        }

        _changed.Release();
    }
}
