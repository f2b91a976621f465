using Cerver.Relay.Compute.Contract;

namespace Cerver.Gateway.Embedded.StressTests.Probes;

// What a live probe needs: the compute, a clock, how many samples, and how to create
// the sandboxes (runtime from the request's requirements, tagged with the test id).
internal sealed record LiveProbeContext(ICompute Compute, TimeProvider Time, int SampleSize, CreateSandboxRequest Sandbox);

// One kind's live measurement on a real compute. Every sandbox a probe creates is
// deleted before the probe returns, also when it fails or is cancelled.
internal abstract class LiveProbe
{
    public static LiveProbe For(StressKind kind) => kind switch
    {
        StressKind.ColdStart => new ColdStartProbe(),
        StressKind.StreamResponse => new StreamResponseProbe(),
        StressKind.PackageInstall => new PackageInstallProbe(),
        StressKind.PreviewLaunch => new PreviewLaunchProbe(),
        StressKind.LongSession => new LongSessionProbe(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown stress-test kind"),
    };

    // One untimed sandbox and run before the first sample: the first call into a compute
    // pays one-off costs (the local relay looks up its runtimes once) that say nothing
    // about how fast a sandbox starts. Its outcome is ignored; real failures show in the samples.
    public static async Task WarmUpAsync(LiveProbeContext context, CancellationToken cancellationToken) =>
        await InFreshSandboxAsync(
            context,
            async (sandbox, _) =>
            {
                await context.Compute.RunSandboxAsync(sandbox.SandboxId, Shell("true"), cancellationToken);
                return ProbeSample.Ok(0);
            },
            cancellationToken);

    // Samples in the order they were taken.
    public virtual async Task<IReadOnlyList<ProbeSample>> MeasureAsync(LiveProbeContext context, CancellationToken cancellationToken)
    {
        var samples = new List<ProbeSample>(context.SampleSize);
        for (var i = 0; i < context.SampleSize; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            samples.Add(await InFreshSandboxAsync(context, (sandbox, started) => SampleAsync(context, sandbox, started, cancellationToken), cancellationToken));
        }

        return samples;
    }

    // One sample in its own sandbox; started is the timestamp taken just before the
    // sandbox was requested.
    protected abstract Task<ProbeSample> SampleAsync(LiveProbeContext context, SandboxRecord sandbox, long started, CancellationToken cancellationToken);

    // Creates a sandbox, runs body in it and always deletes it. A failure of the compute
    // is a failed sample; cancellation is not a sample at all and propagates.
    protected static async Task<ProbeSample> InFreshSandboxAsync(
        LiveProbeContext context,
        Func<SandboxRecord, long, Task<ProbeSample>> body,
        CancellationToken cancellationToken)
    {
        SandboxRecord? sandbox = null;
        var started = context.Time.GetTimestamp();
        try
        {
            sandbox = await context.Compute.CreateSandboxAsync(context.Sandbox, cancellationToken);
            return await body(sandbox, started);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested && exception is not OperationCanceledException)
        {
            return ProbeSample.Failed(exception);
        }
        finally
        {
            if (sandbox is not null)
            {
                await DeleteAsync(context.Compute, sandbox.SandboxId);
            }
        }
    }

    // Never with the caller's token: a cancelled test must still clean up after itself.
    protected static async Task DeleteAsync(ICompute compute, string sandboxId)
    {
        try
        {
            await compute.DeleteSandboxAsync(sandboxId, CancellationToken.None);
        }
        catch (ComputeException exception) when (exception.Kind == ComputeErrorKind.NotFound)
        {
            // Already gone (expired or deleted by its owner): nothing left to clean up.
        }
    }

    protected static RunRequest Shell(string code, double timeoutSeconds = 60) => new() { Code = code, Language = "shell", Timeout = timeoutSeconds };
}
