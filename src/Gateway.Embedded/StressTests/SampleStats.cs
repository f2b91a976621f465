namespace Cerver.Gateway.Embedded.StressTests;

internal static class SampleStats
{
    // The middle value, or the mean of the two middle values of an even count.
    public static double? Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    // Nearest-rank percentile: the smallest value with at least p percent of the values at
    // or below it. Never interpolates, so it is always a value that was measured.
    public static double? NearestRank(IReadOnlyList<double> values, double percent)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }

    // Last quarter's median over the first quarter's, in run order; null below 4 values.
    public static double? Drift(IReadOnlyList<double> inRunOrder)
    {
        var quarter = inRunOrder.Count / 4;
        if (quarter == 0)
        {
            return null;
        }

        var first = Median([.. inRunOrder.Take(quarter)]);
        var last = Median([.. inRunOrder.Skip(inRunOrder.Count - quarter)]);
        return first is > 0 && last is { } l ? Round(l / first.Value) : null;
    }

    public static double Round(double value) => Math.Round(value, 3, MidpointRounding.AwayFromZero);

    public static double? Round(double? value) => value is { } v ? Round(v) : null;
}
