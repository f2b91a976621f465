namespace Cerver.Relay.Bench;

/// <summary>
/// Order statistics of a sample, in whatever unit the values are in.
/// </summary>
/// <remarks>
/// Percentiles use the nearest-rank method: sort ascending, take rank r = ⌈p/100 · n⌉
/// (1-based, at least 1) and return the r-th value. The result is always a value that was
/// actually observed — no interpolation — so a p99 of 200 samples is the 198th smallest,
/// i.e. the third-worst sample. The median is the usual one: the middle value, or the mean
/// of the two middle values when n is even.
/// </remarks>
internal static class Percentiles
{
    public static double NearestRank(IReadOnlyList<double> values, double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        var sorted = Sorted(values);
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = Sorted(values);
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static double[] Sorted(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("no values", nameof(values));
        }

        var sorted = values.ToArray();
        Array.Sort(sorted);
        return sorted;
    }
}
