using Cerver.Gateway.Embedded.Sessions;

namespace Cerver.Gateway.Embedded.Metrics;

/// <summary>
/// Derives a session's metrics from its recorded events, never from estimates: every number
/// is a difference of two real timestamps or a count of real events.
/// </summary>
public static class SessionMetricsCalculator
{
    /// <summary>
    /// Engagement blends how much the session has been used with how long it has lived:
    /// <c>0.4·min(1, interactions/10) + 0.4·min(1, runs/10) + 0.2·min(1, minutes/30)</c>.
    /// Labels: <c>warming</c> below 0.25, <c>engaged</c> below 0.7, <c>deep</c> from 0.7;
    /// <c>idle</c> overrides them once a used session has seen nothing for 10 minutes.
    /// </summary>
    public static readonly TimeSpan IdleAfter = TimeSpan.FromMinutes(10);

    public static SessionMetrics Compute(SessionRecord session, IReadOnlyList<SessionEvent> events, DateTimeOffset now, double uptimePercent, double costPerMinuteUsd)
    {
        var execs = events.Where(e => e.Type == SessionEventTypes.Exec).ToList();
        var streams = events.Where(e => e.Type == SessionEventTypes.Stream).ToList();
        var opens = events.Where(e => e.Type == SessionEventTypes.StreamOpen && e.DurationMs is not null).ToList();
        var inputs = events.Count(e => e.Type == SessionEventTypes.Input);
        var firstRun = execs.Concat(streams).OrderBy(e => e.At).FirstOrDefault();
        var end = session.EndedAt ?? now;
        var length = (long)Math.Max(0, (end - session.CreatedAt).TotalMilliseconds);
        var runs = execs.Count + streams.Count;
        var interactions = runs + inputs;

        var score = Math.Round(
            (0.4 * Math.Min(1, interactions / 10.0)) + (0.4 * Math.Min(1, runs / 10.0)) + (0.2 * Math.Min(1, length / 1_800_000.0)), 3);
        var lastActivity = events.Where(e => e.Type is SessionEventTypes.Exec or SessionEventTypes.Stream or SessionEventTypes.Input)
            .Select(e => e.At).DefaultIfEmpty(session.CreatedAt).Max();
        var label = interactions > 0 && now - lastActivity >= IdleAfter ? "idle"
            : score < 0.25 ? "warming"
            : score < 0.7 ? "engaged"
            : "deep";

        // A run's start is its recorded time minus its duration.
        long? timeToFirstExec = firstRun is null ? null
            : (long)Math.Max(0, (firstRun.At - TimeSpan.FromMilliseconds(firstRun.DurationMs ?? 0) - session.CreatedAt).TotalMilliseconds);

        return new SessionMetrics(
            ProvisionTimeMs: events.LastOrDefault(e => e.Type == SessionEventTypes.Provisioned)?.DurationMs,
            TimeToFirstExecMs: timeToFirstExec,
            LastExecLatencyMs: execs.LastOrDefault()?.DurationMs,
            AverageExecLatencyMs: execs.Count == 0 ? null : Math.Round(execs.Average(e => e.DurationMs ?? 0), 1),
            AverageStreamOpenLatencyMs: opens.Count == 0 ? null : Math.Round(opens.Average(e => e.DurationMs!.Value), 1),
            TotalExecCount: execs.Count,
            TotalStreamCount: streams.Count,
            InteractionCount: interactions,
            SessionLengthMs: length,
            CostEstimateUsd: Math.Round(costPerMinuteUsd * length / 60_000.0, 6),
            UptimePercent: Math.Round(uptimePercent, 2),
            PredictedStartupMs: session.PredictedStartupMs,
            EngagementScore: score,
            EngagementLabel: label);
    }
}
