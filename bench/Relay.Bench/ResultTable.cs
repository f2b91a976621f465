using System.Globalization;

namespace Cerver.Relay.Bench;

/// <summary>Prints the results as an aligned plain-text table.</summary>
internal static class ResultTable
{
    private static readonly string[] Header = ["measurement", "n", "median", "p99", "baseline median", "ratio", "target", "result"];

    public static void Write(TextWriter output, IReadOnlyList<MeasurementResult> results)
    {
        var rows = new List<string[]> { Header };
        rows.AddRange(results.Select(result => new[]
        {
            result.Name,
            result.Samples.ToString(CultureInfo.InvariantCulture),
            Format(result.Median, result.Unit),
            Format(result.P99, result.Unit),
            result.BaselineMedian is { } baseline ? Format(baseline, result.Unit) : "—",
            result.Ratio is { } ratio ? ratio.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "—",
            result.Target,
            result.Met switch { true => "met", false => "MISSED", null => "—" },
        }));

        var widths = Enumerable.Range(0, Header.Length).Select(column => rows.Max(row => row[column].Length)).ToArray();
        // Left-align the names, right-align the numbers.
        string Line(string[] row) => string.Join("  ", row.Select((cell, column) =>
            column is 0 or 6 or 7 ? cell.PadRight(widths[column]) : cell.PadLeft(widths[column]))).TrimEnd();

        output.WriteLine(Line(rows[0]));
        output.WriteLine(string.Join("  ", widths.Select(width => new string('-', width))));
        foreach (var row in rows.Skip(1))
        {
            output.WriteLine(Line(row));
        }

        foreach (var result in results.Where(result => result.Baseline is not null))
        {
            output.WriteLine($"  baseline of '{result.Name}': {result.Baseline} (p99 {Format(result.BaselineP99!.Value, result.Unit)}; "
                + $"median difference {result.Difference!.Value.ToString("+0.00;-0.00", CultureInfo.InvariantCulture)} {result.Unit})");
        }
    }

    public static string Format(double value, string unit) => unit switch
    {
        "ms" => value.ToString("0.00", CultureInfo.InvariantCulture) + " ms",
        Count => value.ToString("0", CultureInfo.InvariantCulture),
        _ => value.ToString("0.0", CultureInfo.InvariantCulture) + " " + unit,
    };

    /// <summary>The unit of a measurement that counts things: printed as a whole number, with no unit.</summary>
    public const string Count = "count";
}
