using Cerver.Relay.Compute.Contract;

namespace Cerver.Gateway.Embedded.StressTests.Probes;

// Create-to-first-exec: from asking for a sandbox to the end of its first run of `true`.
internal sealed class ColdStartProbe : LiveProbe
{
    protected override async Task<ProbeSample> SampleAsync(LiveProbeContext context, SandboxRecord sandbox, long started, CancellationToken cancellationToken)
    {
        var run = await context.Compute.RunSandboxAsync(sandbox.SandboxId, Shell("true"), cancellationToken);
        var elapsed = context.Time.GetElapsedTime(started);
        return run.ExitCode == 0 && !run.TimedOut ? ProbeSample.Ok(elapsed) : ProbeSample.FailedRun("first exec", run);
    }
}
