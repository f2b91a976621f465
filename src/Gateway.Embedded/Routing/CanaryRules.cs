namespace Cerver.Gateway.Embedded.Routing;

public sealed record CanaryDecision(bool Run, string? Reason)
{
    public static CanaryDecision None { get; } = new(false, null);
}

public static class CanaryRules
{
    // Two executable providers closer than this are too near to call without trying both.
    public const double CloseGap = 0.03;

    // Only executable providers can run a canary, so only their scores count here;
    // executableScores is best first.
    public static CanaryDecision Decide(Workload workload, RoutingMode mode, IReadOnlyList<double> executableScores)
    {
        ArgumentNullException.ThrowIfNull(executableScores);
        if (mode == RoutingMode.Resilient && executableScores.Count >= 2)
        {
            return new(true, "Canary run: resilient mode compares the top two executable providers before committing");
        }

        if (workload == Workload.LongRunning)
        {
            return new(true, "Canary run: a long-running job is checked with a short run before it commits");
        }

        if (executableScores.Count >= 2 && ScoringModel.Round3(executableScores[0] - executableScores[1]) < CloseGap)
        {
            return new(true, FormattableString.Invariant(
                $"Canary run: the top two executable providers are within {CloseGap:0.00} of each other"));
        }

        return CanaryDecision.None;
    }
}
