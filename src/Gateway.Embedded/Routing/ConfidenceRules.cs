namespace Cerver.Gateway.Embedded.Routing;

public static class ConfidenceRules
{
    // High: the winner is strong on its own and clearly ahead.
    public const double HighMinScore = 0.70;
    public const double HighMinGap = 0.08;

    // Medium: a decent winner with a visible lead. Anything less is low.
    public const double MediumMinScore = 0.50;
    public const double MediumMinGap = 0.03;

    // With no runner-up the gap is the whole score: nothing competes with the winner.
    public static Confidence Assess(double topScore, double? runnerUpScore)
    {
        var gap = ScoringModel.Round3(topScore - (runnerUpScore ?? 0));
        if (topScore >= HighMinScore && gap >= HighMinGap)
        {
            return Confidence.High;
        }

        return topScore >= MediumMinScore && gap >= MediumMinGap ? Confidence.Medium : Confidence.Low;
    }
}
