using System.Diagnostics;

namespace Cerver.Relay.Bench;

/// <summary>
/// Takes the samples of one measurement: warm-up iterations (discarded), then one sample of
/// the measurement and one of its baseline per iteration, so drift and noise on this machine
/// hit both alike. Which of the two goes first alternates, so neither always runs in the
/// other's wake. Bounded by the sample count, so it always ends.
/// </summary>
internal sealed class Interleaver(int warmup, int samples, TextWriter progress)
{
    public async Task<(List<double> Measured, List<double>? Baseline)> RunAsync(
        string name,
        Func<CancellationToken, Task<double>> measure,
        Func<CancellationToken, Task<double>>? baseline,
        CancellationToken cancellationToken)
    {
        progress.Write($"  {name}: ");
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < warmup; i++)
        {
            await measure(cancellationToken);
            if (baseline is not null)
            {
                await baseline(cancellationToken);
            }
        }

        var measured = new List<double>(samples);
        var baselined = baseline is null ? null : new List<double>(samples);
        for (var i = 0; i < samples; i++)
        {
            if (baseline is not null && i % 2 == 1)
            {
                baselined!.Add(await baseline(cancellationToken));
            }

            measured.Add(await measure(cancellationToken));
            if (baseline is not null && i % 2 == 0)
            {
                baselined!.Add(await baseline(cancellationToken));
            }
        }

        progress.WriteLine($"{measured.Count} samples in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
        return (measured, baselined);
    }
}
