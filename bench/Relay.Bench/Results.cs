using System.Globalization;
using System.Text.Json.Serialization;

namespace Cerver.Relay.Bench;

/// <summary>What a measurement is judged against.</summary>
internal abstract record Target
{
    public abstract string Describe(string unit);

    /// <summary>Whether the median meets the target; null when there is nothing to meet.</summary>
    public abstract bool? IsMet(double median, double? baselineMedian);

    /// <summary>The median must not exceed <paramref name="Limit"/> (in the measurement's unit).</summary>
    public sealed record AtMost(double Limit) : Target
    {
        public override string Describe(string unit) =>
            $"≤ {Limit.ToString("0.##", CultureInfo.InvariantCulture)}" + (unit == ResultTable.Count ? "" : " " + unit);

        public override bool? IsMet(double median, double? baselineMedian) => median <= Limit;
    }

    /// <summary>The median must reach at least <paramref name="Limit"/> (in the measurement's unit): a throughput.</summary>
    public sealed record AtLeast(double Limit) : Target
    {
        public override string Describe(string unit) => $"≥ {Limit.ToString("0.##", CultureInfo.InvariantCulture)} {unit}";

        public override bool? IsMet(double median, double? baselineMedian) => median >= Limit;
    }

    /// <summary>The median over the baseline's median must not exceed <paramref name="Limit"/>.</summary>
    public sealed record RatioAtMost(double Limit) : Target
    {
        public override string Describe(string unit) => $"≤ {Limit.ToString("0.0#", CultureInfo.InvariantCulture)}×";

        public override bool? IsMet(double median, double? baselineMedian) => baselineMedian is > 0 && median / baselineMedian <= Limit;
    }

    /// <summary>The median over the baseline's median must reach at least <paramref name="Limit"/>: a throughput against its direct path.</summary>
    public sealed record RatioAtLeast(double Limit) : Target
    {
        public override string Describe(string unit) => $"≥ {Limit.ToString("0.0#", CultureInfo.InvariantCulture)}× baseline";

        public override bool? IsMet(double median, double? baselineMedian) => baselineMedian is > 0 && median / baselineMedian >= Limit;
    }

    /// <summary>The median may exceed the baseline's median by at most <paramref name="Limit"/> (in the measurement's unit).</summary>
    public sealed record DifferenceAtMost(double Limit) : Target
    {
        public override string Describe(string unit) => $"≤ baseline + {Limit.ToString("0.##", CultureInfo.InvariantCulture)} {unit}";

        public override bool? IsMet(double median, double? baselineMedian) => baselineMedian is { } baseline && median - baseline <= Limit;
    }

    /// <summary>Reported for information; nothing to meet.</summary>
    public sealed record None : Target
    {
        public override string Describe(string unit) => "—";

        public override bool? IsMet(double median, double? baselineMedian) => null;
    }
}

/// <summary>The summary of one measurement, as printed and as written to JSON.</summary>
internal sealed record MeasurementResult
{
    public required string Name { get; init; }
    public required string Unit { get; init; }
    public required int Samples { get; init; }
    public required double Median { get; init; }
    public required double P99 { get; init; }
    public string? Baseline { get; init; }
    public double? BaselineMedian { get; init; }
    public double? BaselineP99 { get; init; }

    /// <summary>Median over baseline median.</summary>
    public double? Ratio { get; init; }

    /// <summary>Median minus baseline median.</summary>
    public double? Difference { get; init; }

    public required string Target { get; init; }

    /// <summary>Null when the measurement has no target.</summary>
    public required bool? Met { get; init; }
    public required IReadOnlyList<double> Values { get; init; }
    public IReadOnlyList<double>? BaselineValues { get; init; }

    public static MeasurementResult From(string name, string unit, IReadOnlyList<double> values, Target target, string? baseline = null, IReadOnlyList<double>? baselineValues = null)
    {
        var median = Percentiles.Median(values);
        double? baselineMedian = baselineValues is null ? null : Percentiles.Median(baselineValues);
        double? ratio = baselineMedian is > 0 ? median / baselineMedian : null;
        return new MeasurementResult
        {
            Name = name,
            Unit = unit,
            Samples = values.Count,
            Median = median,
            P99 = Percentiles.NearestRank(values, 99),
            Baseline = baseline,
            BaselineMedian = baselineMedian,
            BaselineP99 = baselineValues is null ? null : Percentiles.NearestRank(baselineValues, 99),
            Ratio = ratio,
            Difference = median - baselineMedian,
            Target = target.Describe(unit),
            Met = target.IsMet(median, baselineMedian),
            Values = values,
            BaselineValues = baselineValues,
        };
    }
}

internal sealed record BenchReport
{
    public required DateTimeOffset StartedAt { get; init; }
    public required string Machine { get; init; }
    public required int ProcessorCount { get; init; }
    public required string Runtime { get; init; }
    public required string Relay { get; init; }
    public required int SamplesPerMeasurement { get; init; }
    public required int WarmupIterations { get; init; }
    public required IReadOnlyList<string> Skipped { get; init; }

    /// <summary>What the table cannot show: the load part's error breakdown and extra memory readings.</summary>
    public required IReadOnlyList<string> Notes { get; init; }
    public required IReadOnlyList<MeasurementResult> Results { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(BenchReport))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
