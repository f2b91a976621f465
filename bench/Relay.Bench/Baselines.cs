using System.Diagnostics;
using System.Globalization;
using System.Collections.Immutable;
using Cerver.Relay.Compute.Isolation;
using Cerver.Relay.Compute.Processes;

namespace Cerver.Relay.Bench;

/// <summary>
/// What the relay's numbers are compared with: the same program started directly by this
/// process, with the output piped and read as the relay does, and nothing else.
/// </summary>
internal static class Baselines
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Starts <paramref name="fileName"/>, reads its output to the end and waits for it; returns the latency in ms.</summary>
    public static async Task<double> SpawnAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var process = Start(fileName, arguments);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProcessTimeout);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            await Task.WhenAll(stdout, stderr);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            return process.ExitCode == 0 ? elapsed
                : throw new BenchException($"baseline {fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}: {(await stderr).Trim()}");
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    /// <summary>
    /// Starts code that prints <c>date +%s%N</c> first; returns the time in ms from that
    /// timestamp to this process reading the line from the pipe: the floor any streaming
    /// path has to add to.
    /// </summary>
    public static async Task<double> FirstLineAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        using var process = Start(fileName, arguments);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProcessTimeout);
        try
        {
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            var first = await process.StandardOutput.ReadLineAsync(timeout.Token);
            var receivedNs = WallClock.NowNs();
            await process.StandardOutput.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            await stderr;
            return long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var printedNs)
                ? (receivedNs - printedNs) / 1e6
                : throw new BenchException($"baseline {fileName} printed no timestamp first: '{first}'");
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    /// <summary>
    /// The whole bubblewrap launch exactly as the relay builds it for a run — the shell that
    /// hands bwrap its seccomp filter, bwrap, and (as root) the drop to the sandbox's uid — from
    /// the backend the relay uses, with the boundary it gives it (see LocalCompute.BuildSpecAsync).
    /// </summary>
    public static (string FileName, IReadOnlyList<string> Arguments) SandboxedCommand(string workspace, string cerverHome, string fileName, IReadOnlyList<string> arguments)
    {
        if (!IsolationSelector.TryBubblewrap(Path.Combine(cerverHome, "relay"), out var backend, out var why))
        {
            throw new BenchException($"bubblewrap does not work here: {why}");
        }

        var user = backend!.UserFor(Path.GetFileName(workspace));
        if (user is not null)
        {
            SandboxOwnership.Give(workspace, user);
        }

        var boundary = new SandboxBoundary(
            Workspace: workspace,
            WorkingDirectory: workspace,
            TemporaryDirectory: "/tmp",
            Network: false,
            HiddenPaths: HiddenPaths(cerverHome),
            ReadOnlyPaths: [])
        {
            User = user,
        };
        var spec = backend.Wrap(new ProcessSpec(fileName, arguments, workspace, ImmutableSortedDictionary<string, string>.Empty), boundary);
        return (spec.FileName, [.. spec.Arguments]);
    }

    /// <summary>The relay's hidden paths (LocalCompute.HiddenPaths is private, so mirrored here): $HOME, CERVER_HOME and the shared places other users' files live.</summary>
    private static List<string> HiddenPaths(string cerverHome)
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string[] candidates = [home, cerverHome, "/home", "/root", "/run/user", "/var/tmp"];
        return [.. candidates.Where(path => path.Length > 1 && Directory.Exists(path)).Distinct(StringComparer.Ordinal)];
    }

    private static Process Start(string fileName, IReadOnlyList<string> arguments)
    {
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new BenchException($"could not start {fileName}");
    }
}
