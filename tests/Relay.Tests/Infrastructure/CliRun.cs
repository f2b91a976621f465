using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Cerver.Relay.Tests.Infrastructure;

/// <summary>A CLI verb still running as a child process, its output collected line by line as it arrives.</summary>
public sealed class CliRun : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly SemaphoreSlim _changed = new(0);

    public CliRun(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, line) => Append(_stdout, line.Data);
        process.ErrorDataReceived += (_, line) => Append(_stderr, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

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

    /// <summary>Waits until stdout matches, and returns the first group of the match.</summary>
    public async Task<string> WaitForOutputAsync(Regex pattern, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        while (true)
        {
            if (pattern.Match(Stdout) is { Success: true } match)
            {
                return match.Groups[1].Value;
            }

            Assert.False(_process.HasExited && pattern.Match(Stdout) is { Success: false }, $"the verb exited without printing {pattern}: {Stdout} {Stderr}");
            try
            {
                await _changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no output matching {pattern} within {limit}: {Stdout} {Stderr}");
            }
        }
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

    private void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            _changed.Release();
            return;
        }

        lock (buffer)
        {
            buffer.Append(line).Append('\n');
        }

        _changed.Release();
    }
}
