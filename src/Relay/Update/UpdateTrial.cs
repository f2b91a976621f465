using System.Diagnostics;
using Cerver.Relay.Daemon;

namespace Cerver.Relay.Update;

/// <summary>
/// Proves that a freshly swapped version comes up: starts <c>bin/cerver-relay run</c>, waits until
/// that daemon has served <c>/healthz</c> and confirmed itself in <c>update.json</c>, then stops it
/// again for the service manager to start for good. If it exits or stays silent instead, the link
/// goes back to the previous version. Runs wherever the swap happened — in the daemon that is
/// handing over, or in the <c>update</c> command when no daemon runs — so it needs no systemd.
/// </summary>
public sealed class UpdateTrial(Updater updater, TimeSpan limit, TimeSpan stopGrace)
{
    public static readonly TimeSpan DefaultLimit = TimeSpan.FromSeconds(90);

    /// <summary>True when the new version confirmed; otherwise it has been rolled back and <paramref name="failure"/> says why.</summary>
    public async Task<(bool Confirmed, string? Failure)> RunAsync(PendingUpdate pending, IReadOnlyList<string> runArguments, IReadOnlyDictionary<string, string>? environment, bool inheritOutput, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(updater.Installation.Link) { UseShellExecute = false, RedirectStandardOutput = !inheritOutput, RedirectStandardError = !inheritOutput };
        foreach (var argument in runArguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var lastError = "";
        using var process = new Process { StartInfo = info };
        if (!inheritOutput)
        {
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, line) => lastError = string.IsNullOrWhiteSpace(line.Data) ? lastError : line.Data;
        }

        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            return Fail(pending, $"version {pending.Version} could not be started ({exception.Message})");
        }

        if (!inheritOutput)
        {
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var state = updater.State.Read();
            if (state.Pending is null && state.LastResult?.Version == pending.Version && state.LastResult.Outcome == UpdateResult.Applied)
            {
                await DaemonStop.StopAsync(process, stopGrace);
                return (true, null);
            }

            if (process.HasExited)
            {
                await process.WaitForExitAsync(CancellationToken.None);
                return Fail(pending, $"version {pending.Version} exited with {process.ExitCode} before it came up{(lastError.Length > 0 ? $" ({lastError})" : "")}");
            }

            if (deadline.Elapsed > limit || cancellationToken.IsCancellationRequested)
            {
                await DaemonStop.StopAsync(process, stopGrace);
                return Fail(pending, $"version {pending.Version} did not answer /healthz within {limit.TotalSeconds:0} s");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
        }
    }

    private (bool, string?) Fail(PendingUpdate pending, string reason)
    {
        updater.RollBack(pending, reason);
        return (false, $"{reason}; rolled back to {pending.Previous ?? "the previous version"}");
    }
}
