using Cerver.Relay.Compute.Contract;

namespace Cerver.Gateway.Embedded.StressTests.Probes;

// One sandbox kept for many runs of `true` (sample_size × 4, at most 200): each run's
// latency is a sample, in run order, so drift between the first and last quarter shows.
internal sealed class LongSessionProbe : LiveProbe
{
    public const int RunsPerSample = 4;
    public const int MaxRuns = 200;

    public static int RunsFor(int sampleSize) => Math.Min(sampleSize * RunsPerSample, MaxRuns);

    public override async Task<IReadOnlyList<ProbeSample>> MeasureAsync(LiveProbeContext context, CancellationToken cancellationToken)
    {
        var runs = RunsFor(context.SampleSize);
        var samples = new List<ProbeSample>(runs);
        var outcome = await InFreshSandboxAsync(context, async (sandbox, _) =>
        {
            for (var i = 0; i < runs; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                samples.Add(await RunOnceAsync(context, sandbox, cancellationToken));
            }

            return ProbeSample.Ok(0);
        }, cancellationToken);

        // The session itself failed (no sandbox, or the compute went away mid-way):
        // every run that did not happen is a failure with that reason.
        if (!outcome.Succeeded)
        {
            samples.AddRange(Enumerable.Repeat(outcome, runs - samples.Count));
        }

        return samples;
    }

    protected override Task<ProbeSample> SampleAsync(LiveProbeContext context, SandboxRecord sandbox, long started, CancellationToken cancellationToken) =>
        throw new NotSupportedException("A long session measures runs inside one sandbox; see MeasureAsync.");

    private static async Task<ProbeSample> RunOnceAsync(LiveProbeContext context, SandboxRecord sandbox, CancellationToken cancellationToken)
    {
        var started = context.Time.GetTimestamp();
        var run = await context.Compute.RunSandboxAsync(sandbox.SandboxId, Shell("true"), cancellationToken);
        var elapsed = context.Time.GetElapsedTime(started);
        return run.ExitCode == 0 && !run.TimedOut ? ProbeSample.Ok(elapsed) : ProbeSample.FailedRun("run", run);
    }
}
