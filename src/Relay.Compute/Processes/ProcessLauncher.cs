using System.Collections.Concurrent;

namespace Cerver.Relay.Compute.Processes;

/// <summary>
/// Starts every process from one thread that lives as long as the daemon. bubblewrap's
/// <c>--die-with-parent</c> is PR_SET_PDEATHSIG, which fires when the *thread* that forked bwrap
/// exits: started from a thread-pool thread, a run was SIGKILLed whenever the pool retired
/// that thread (seen as exit 137 half-way through a run). From this thread, it fires only
/// when the daemon itself dies, which is what the flag is for.
/// </summary>
internal static class ProcessLauncher
{
    private static readonly BlockingCollection<Action> Starts = CreateThread();

    /// <summary>Runs <paramref name="start"/> (which forks) on the launcher thread and hands back its result or exception.</summary>
    public static Task<T> StartAsync<T>(Func<T> start)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Starts.Add(() =>
        {
            try
            {
                result.SetResult(start());
            }
            catch (Exception exception)
            {
                result.SetException(exception);
            }
        });
        return result.Task;
    }

    private static BlockingCollection<Action> CreateThread()
    {
        InheritedDescriptors.MarkCloseOnExec();
        var starts = new BlockingCollection<Action>();
        var thread = new Thread(() =>
        {
            foreach (var start in starts.GetConsumingEnumerable())
            {
                start();
            }
        })
        {
            IsBackground = true,
            Name = "cerver process launcher",
        };
        thread.Start();
        return starts;
    }
}
