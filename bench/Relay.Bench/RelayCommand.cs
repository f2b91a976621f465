using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Cerver.Relay.Bench;

/// <summary>
/// One <c>cerver-relay</c> verb (not the daemon) as a child process, with its own
/// <c>CERVER_HOME</c>: stdout is read line by line as the verb prints it, stderr is kept for
/// the error message. Disposing kills it if it is still running.
/// </summary>
internal sealed class RelayCommand : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly string _name;

    private RelayCommand(Process process, string name)
    {
        _process = process;
        _name = name;
        _process.ErrorDataReceived += (_, line) =>
        {
            lock (_stderr)
            {
                _stderr.AppendLine(line.Data);
            }
        };
        _process.BeginErrorReadLine();
    }

    public static RelayCommand Start(string relayDll, string home, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var info = RelayDaemon.StartInfo(relayDll, arguments, home, environment);
        info.RedirectStandardInput = false;
        var process = Process.Start(info) ?? throw new BenchException($"could not start dotnet {relayDll} {arguments[0]}");
        return new RelayCommand(process, $"cerver-relay {string.Join(' ', arguments)}");
    }

    /// <summary>Runs the verb to its end; a non-zero exit is an error.</summary>
    public static async Task RunAsync(string relayDll, string home, IReadOnlyDictionary<string, string> environment, TimeSpan timeout,
        CancellationToken cancellationToken, params string[] arguments)
    {
        using var command = Start(relayDll, home, environment, arguments);
        await command.WaitForSuccessAsync(timeout, cancellationToken);
    }

    /// <summary>Reads stdout until a line matches; returns the pattern's first group.</summary>
    public async Task<string> WaitForLineAsync(Regex pattern, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            while (await _process.StandardOutput.ReadLineAsync(limit.Token) is { } line)
            {
                _stdout.AppendLine(line);
                if (pattern.Match(line) is { Success: true } match)
                {
                    return match.Groups[1].Value;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BenchException($"{_name} printed no line like /{pattern}/ within {timeout.TotalSeconds:0} s:\n{Output}");
        }

        throw new BenchException($"{_name} ended without a line like /{pattern}/:\n{Output}");
    }

    /// <summary>Reads the rest of stdout and waits for the exit; a non-zero exit is an error.</summary>
    public async Task WaitForSuccessAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            _stdout.Append(await _process.StandardOutput.ReadToEndAsync(limit.Token));
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BenchException($"{_name} did not exit within {timeout.TotalSeconds:0} s:\n{Output}");
        }

        if (_process.ExitCode != 0)
        {
            throw new BenchException($"{_name} exited with {_process.ExitCode}:\n{Output}");
        }
    }

    private string Output
    {
        get
        {
            lock (_stderr)
            {
                return $"{_stdout}{_stderr}".TrimEnd();
            }
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It ended on its own meanwhile.
        }

        _process.Dispose();
    }
}
