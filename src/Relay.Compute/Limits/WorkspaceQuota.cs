using Cerver.Relay.Compute.Contract;

namespace Cerver.Relay.Compute.Limits;

/// <summary>
/// The workspace size limit, which no rlimit or cgroup covers: refuses writes that would pass
/// it, stops runs that pass it (<see cref="Watch"/>), and after each run removes set-id bits.
/// A walk that hit its cap counts as over the limit: an unmeasurable workspace is a full one.
/// </summary>
public sealed class WorkspaceQuota(long limitBytes, WorkspaceWalker walker, TimeProvider time, TimeSpan sampleInterval)
{
    public static readonly TimeSpan DefaultSampleInterval = TimeSpan.FromSeconds(3);

    public long LimitBytes => limitBytes;

    /// <summary>Throws <c>workspace_full</c> (413) when adding <paramref name="incomingBytes"/> would pass the limit.</summary>
    public void EnsureRoom(string workspace, long incomingBytes)
    {
        var usage = walker.Measure(workspace);
        if (usage.Capped || usage.AllocatedBytes + incomingBytes > limitBytes)
        {
            throw new ComputeException(ComputeErrorKind.TooLarge, "workspace_full",
                $"The workspace holds {Describe(usage)}; {incomingBytes} more bytes would pass its {limitBytes}-byte limit. Delete files first.");
        }
    }

    /// <summary>The check before a file write: the decoded size of the content is what it adds.</summary>
    public void EnsureRoomFor(string workspace, WriteFileRequest request)
    {
        var content = request.Content ?? "";
        var bytes = string.Equals(request.Encoding, "base64", StringComparison.OrdinalIgnoreCase)
            ? content.Length / 4 * 3
            : System.Text.Encoding.UTF8.GetByteCount(content);
        EnsureRoom(workspace, bytes);
    }

    /// <summary>Samples the workspace every few seconds while a run goes on; its token fires when the run must stop.</summary>
    public WorkspaceWatch Watch(string workspace, CancellationToken runToken) => new(this, workspace, time, sampleInterval, runToken);

    /// <summary>Called after every run (under the same walk as a measurement).</summary>
    public WorkspaceUsage AfterRun(string workspace) => walker.StripSetIdBits(workspace);

    /// <summary>Why a run must stop, or null while the workspace is within its limit.</summary>
    internal string? Check(string workspace)
    {
        var usage = walker.Measure(workspace);
        return usage.Capped || usage.AllocatedBytes > limitBytes
            ? $"cerver: the run was stopped: the workspace holds {Describe(usage)}, over its {limitBytes}-byte limit (workspace_full)."
            : null;
    }

    private static string Describe(WorkspaceUsage usage) => usage.Capped
        ? $"more than {usage.Entries - 1} entries or folders nested too deep to measure"
        : $"{usage.AllocatedBytes} bytes";
}

/// <summary>One run's watchdog: a TimeProvider timer that measures the workspace and trips once.</summary>
public sealed class WorkspaceWatch : IDisposable
{
    private readonly WorkspaceQuota _quota;
    private readonly string _workspace;
    private readonly CancellationTokenSource _stop;
    private readonly ITimer _timer;
    private int _busy;

    internal WorkspaceWatch(WorkspaceQuota quota, string workspace, TimeProvider time, TimeSpan interval, CancellationToken runToken)
    {
        _quota = quota;
        _workspace = workspace;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(runToken);
        _timer = time.CreateTimer(static state => ((WorkspaceWatch)state!).Sample(), this, interval, interval);
    }

    /// <summary>The run's token, which also fires when the workspace passes its limit.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>The line the run's result carries on stderr when the watchdog stopped it.</summary>
    public string? StopReason { get; private set; }

    private void Sample()
    {
        // A slow walk must not overlap the next tick.
        if (Interlocked.Exchange(ref _busy, 1) == 1 || StopReason is not null)
        {
            return;
        }

        try
        {
            if (_quota.Check(_workspace) is { } reason)
            {
                StopReason = reason;
                _stop.Cancel();
            }
        }
        catch (ObjectDisposedException)
        {
            // The run ended while the walk went on.
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        _stop.Dispose();
    }
}
