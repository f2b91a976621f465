using Cerver.Relay.Compute.Contract;

namespace Cerver.Gateway.Embedded.StressTests.Probes;

// One measurement: Ms is the kind's metric (see StressKinds.Metric), or a failure.
internal sealed record ProbeSample(double? Ms, string? Failure)
{
    public double? ThroughputMbPerSecond { get; init; }
    public double? StreamTotalMs { get; init; }

    public bool Succeeded => Failure is null;

    public static ProbeSample Ok(TimeSpan elapsed) => new(elapsed.TotalMilliseconds, null);

    public static ProbeSample Ok(double ms) => new(ms, null);

    public static ProbeSample Failed(string reason) => new(null, reason);

    public static ProbeSample Failed(Exception exception) => Failed(Describe(exception));

    public static ProbeSample FailedRun(string what, RunResult run) => Failed(DescribeRun(what, run.ExitCode, run.TimedOut, run.Stderr));

    public static string DescribeRun(string what, int exitCode, bool timedOut, string? stderr)
    {
        if (timedOut)
        {
            return $"{what} timed out";
        }

        var detail = LastLine(stderr);
        return detail is null
            ? FormattableString.Invariant($"{what} exited with code {exitCode}")
            : FormattableString.Invariant($"{what} exited with code {exitCode}: {detail}");
    }

    public static string Describe(Exception exception) => exception switch
    {
        ComputeException compute => $"{compute.Code}: {compute.Message}",
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };

    private static string? LastLine(string? text)
    {
        var line = text?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return line is null ? null : line.Length > 200 ? line[..200] + "…" : line;
    }
}
