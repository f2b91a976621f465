using Cerver.Relay.Compute;
using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Compute.Sandboxes;

namespace Cerver.Gateway.Embedded.Link;

/// <summary>
/// How long the gateway waits for a call to a linked relay before it gives up, cancels the
/// call there and fails it here.
/// </summary>
/// <remarks>
/// The pings only prove the relay is alive, not that it will ever answer this call; a call
/// the relay lost (a bug, a frame it dropped) would otherwise hold its caller, and what the
/// caller holds (a session marked running, an HTTP request), forever. The deadline is what
/// the relay itself allows the call, from the request, plus <see cref="Margin"/>: a run is
/// killed on the relay at its timeout, so its answer is due by then. A request without a
/// timeout gets the contract's default (every relay's, as no setting changes it); a timeout
/// the relay will refuse bounds nothing, so it gets the margin alone. The margin also covers
/// moving the answer: a 16 MiB file or 2 MiB of buffered output over a slow uplink.
/// </remarks>
public readonly record struct LinkCallDeadline(TimeSpan Value)
{
    public static TimeSpan Margin { get; } = TimeSpan.FromMinutes(5);

    /// <summary>Calls the relay answers without running anything: records, files, state.</summary>
    public static LinkCallDeadline Quick { get; } = new(Margin);

    public static LinkCallDeadline ForRun(RunRequest request) =>
        Plus(request.Timeout ?? ComputeOptions.StandardRunTimeoutSeconds);

    public static LinkCallDeadline ForInstall() => new(LocalCompute.InstallTimeout + Margin);

    /// <summary>A turn without a timeout takes the relay's setting, which is at most a day.</summary>
    public static LinkCallDeadline ForTurn(AgentTurn turn) =>
        Plus(turn.Timeout?.TotalSeconds ?? ComputeOptions.LongestRunTimeoutSeconds);

    // Past a week (the longest an agent turn may ask for) the relay refuses the request anyway.
    private static LinkCallDeadline Plus(double seconds) =>
        double.IsFinite(seconds) && seconds > 0 && seconds <= TimeSpan.FromDays(7).TotalSeconds
            ? new(TimeSpan.FromSeconds(seconds) + Margin)
            : Quick;
}
