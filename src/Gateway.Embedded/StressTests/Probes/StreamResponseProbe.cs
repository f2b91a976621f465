using System.Text;
using Cerver.Relay.Compute.Contract;

namespace Cerver.Gateway.Embedded.StressTests.Probes;

// A streamed run producing 1 MiB of output: time to the first stdout byte (the sample's
// metric), and throughput over the whole stream from the request to the exit event.
internal sealed class StreamResponseProbe : LiveProbe
{
    public const long Bytes = 1024 * 1024;

    private static readonly string Command = FormattableString.Invariant($"head -c {Bytes} /dev/zero | tr '\\0' a");

    protected override async Task<ProbeSample> SampleAsync(LiveProbeContext context, SandboxRecord sandbox, long started, CancellationToken cancellationToken)
    {
        var time = context.Time;
        var requested = time.GetTimestamp();
        TimeSpan? firstByte = null;
        long received = 0;
        RunExitEvent? exit = null;
        var stderr = new StringBuilder();
        await foreach (var item in context.Compute.RunSandboxStreamAsync(sandbox.SandboxId, Shell(Command), cancellationToken))
        {
            switch (item)
            {
                case RunOutputEvent { Kind: OutputKind.Stdout } output when output.Text.Length > 0:
                    firstByte ??= time.GetElapsedTime(requested);
                    received += Encoding.UTF8.GetByteCount(output.Text);
                    break;
                case RunOutputEvent { Kind: OutputKind.Stderr } output when stderr.Length < 4096:
                    stderr.Append(output.Text);
                    break;
                case RunExitEvent end:
                    exit = end;
                    break;
            }
        }

        var total = time.GetElapsedTime(requested);
        if (exit is null)
        {
            return ProbeSample.Failed("the stream ended without an exit event");
        }

        if (exit.ExitCode != 0 || exit.TimedOut)
        {
            return ProbeSample.Failed(ProbeSample.DescribeRun("stream", exit.ExitCode, exit.TimedOut, stderr.ToString()));
        }

        if (received != Bytes || firstByte is null)
        {
            return ProbeSample.Failed(FormattableString.Invariant($"stream delivered {received} of {Bytes} bytes"));
        }

        return ProbeSample.Ok(firstByte.Value) with
        {
            StreamTotalMs = total.TotalMilliseconds,
            ThroughputMbPerSecond = received / 1_000_000.0 / Math.Max(total.TotalSeconds, 1e-6),
        };
    }
}
