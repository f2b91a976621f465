using System.Collections.Concurrent;
using Cerver.Relay.Compute.Contract;

namespace Cerver.Relay.Compute.Sandboxes;

/// <summary>
/// Every running process holds a lease from the gate: deleting a sandbox cancels its leases,
/// and draining refuses new ones, waits a bounded time for the running ones, then cancels them.
/// </summary>
public sealed class RunGate(TimeProvider time)
{
    private readonly ConcurrentDictionary<RunLease, byte> _active = new();
    private volatile bool _draining;

    public bool IsDraining => _draining;

    public int ActiveCount => _active.Count;

    public int ActiveFor(string sandboxId) => _active.Keys.Count(lease => lease.SandboxId == sandboxId);

    public RunLease Enter(string sandboxId, CancellationToken callerToken)
    {
        if (_draining)
        {
            throw new ComputeException(ComputeErrorKind.Unavailable, "draining", "The relay is shutting down or updating and takes no new work; retry in a moment.");
        }

        var lease = new RunLease(this, sandboxId, callerToken);
        _active[lease] = 0;
        return lease;
    }

    public void CancelSandbox(string sandboxId, RunCancelReason reason)
    {
        foreach (var lease in _active.Keys.Where(lease => lease.SandboxId == sandboxId))
        {
            lease.Cancel(reason);
        }
    }

    /// <summary>Refuses new work, gives running work <paramref name="grace"/> to finish, then kills it.</summary>
    public async Task DrainAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        _draining = true;
        var deadline = time.GetUtcNow() + grace;
        while (!_active.IsEmpty && time.GetUtcNow() < deadline && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, CancellationToken.None);
        }

        foreach (var lease in _active.Keys)
        {
            lease.Cancel(RunCancelReason.ShuttingDown);
        }
    }

    internal void Release(RunLease lease) => _active.TryRemove(lease, out _);
}

public enum RunCancelReason
{
    None,
    SandboxDeleted,
    ShuttingDown,
}

/// <summary>One running process's claim on the gate; its token fires when the run must stop.</summary>
public sealed class RunLease : IDisposable
{
    private readonly RunGate _gate;
    private readonly CancellationTokenSource _source;

    internal RunLease(RunGate gate, string sandboxId, CancellationToken callerToken)
    {
        _gate = gate;
        SandboxId = sandboxId;
        _source = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
    }

    public string SandboxId { get; }

    public CancellationToken Token => _source.Token;

    public RunCancelReason Reason { get; private set; }

    /// <summary>The refusal to report when the gate, not the caller, stopped the run.</summary>
    public ComputeException? StopError => Reason switch
    {
        RunCancelReason.SandboxDeleted => new ComputeException(ComputeErrorKind.Conflict, "sandbox_deleted", $"Sandbox '{SandboxId}' was deleted while the run was in progress; its processes were killed."),
        RunCancelReason.ShuttingDown => new ComputeException(ComputeErrorKind.Unavailable, "shutting_down", "The relay shut down while the run was in progress; its processes were killed."),
        _ => null,
    };

    internal void Cancel(RunCancelReason reason)
    {
        if (Reason == RunCancelReason.None)
        {
            Reason = reason;
        }

        try
        {
            _source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The run finished between the snapshot and the cancel.
        }
    }

    public void Dispose()
    {
        _gate.Release(this);
        _source.Dispose();
    }
}
