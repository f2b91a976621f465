using System.Security.Cryptography;
using System.Text;
using Cerver.Gateway.Embedded.Routing;
using static System.FormattableString;

namespace Cerver.Gateway.Embedded.StressTests.Probes;

// Numbers for a provider that cannot execute here, derived from its profile's baselines
// with ±15 % jitter. The jitter comes from a generator seeded by the test id and the
// provider name, so the same test id gives the same numbers on every machine and run.
// These are a model, not a measurement; entries built from them say "simulated": true.
internal static class SimulatedProbe
{
    private const double Jitter = 0.15;

    // Modeled transfer rate of a 1 MiB stream for a provider with a 100 ms exec baseline.
    private const double StreamMbPerSecondAt100MsExec = 40;

    public static IReadOnlyList<ProbeSample> Measure(StressKind kind, ProviderProfile profile, int sampleSize, string testId)
    {
        var random = new SplitMix64(Seed(testId, profile.Name));
        var count = kind == StressKind.LongSession ? LongSessionProbe.RunsFor(sampleSize) : sampleSize;
        var outageChance = Math.Clamp((100 - profile.UptimePercent) / 100, 0, 1);
        var samples = new List<ProbeSample>(count);
        for (var i = 0; i < count; i++)
        {
            // Both draws happen for every sample so one sample's outcome never shifts the next one's numbers.
            var jitter = 1 - Jitter + (2 * Jitter * random.NextDouble());
            var outage = random.NextDouble() < outageChance;
            if (profile.Status == ComputeStatus.Offline)
            {
                samples.Add(ProbeSample.Failed("simulated: the provider is offline"));
            }
            else if (outage)
            {
                samples.Add(ProbeSample.Failed(Invariant($"simulated outage ({profile.UptimePercent:0.##}% uptime)")));
            }
            else
            {
                samples.Add(Sample(kind, profile, jitter));
            }
        }

        return samples;
    }

    private static ProbeSample Sample(StressKind kind, ProviderProfile profile, double jitter)
    {
        double startup = profile.StartupMs, exec = profile.ExecMs;
        switch (kind)
        {
            case StressKind.ColdStart:
                return ProbeSample.Ok((startup + exec) * jitter);
            case StressKind.StreamResponse:
                var firstByte = exec * jitter;
                var transferMs = StreamResponseProbe.Bytes / 1_000_000.0 / (StreamMbPerSecondAt100MsExec * 100 / exec) * 1000 * jitter;
                var total = firstByte + transferMs;
                return ProbeSample.Ok(firstByte) with
                {
                    StreamTotalMs = total,
                    ThroughputMbPerSecond = StreamResponseProbe.Bytes / 1_000_000.0 / (total / 1000),
                };
            case StressKind.PackageInstall:
                // A package manager start plus a handful of round trips to the sandbox.
                return ProbeSample.Ok((startup + (8 * exec)) * jitter);
            case StressKind.PreviewLaunch:
                return ProbeSample.Ok((startup + (3 * exec)) * jitter);
            case StressKind.LongSession:
                return ProbeSample.Ok(exec * jitter);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown stress-test kind");
        }
    }

    private static ulong Seed(string testId, string provider) =>
        BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(testId + "\n" + provider)), 0);

    // A fixed, documented generator: System.Random's seeded sequence is not promised to
    // stay the same across .NET versions, and these numbers must.
    private struct SplitMix64(ulong state)
    {
        private ulong _state = state;

        public double NextDouble()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (z >> 11) * (1.0 / (1UL << 53));
        }
    }
}
