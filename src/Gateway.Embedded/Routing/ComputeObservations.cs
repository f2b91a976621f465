namespace Cerver.Gateway.Embedded.Routing;

// Measured history of one executable compute, as the metrics store summarises it.
public sealed record ComputeObservations(
    int ProvisionSamples,
    double MedianProvisionMs,
    int ExecSamples,
    double MedianExecMs,
    int HeartbeatSamples,
    double UptimePercent)
{
    public static ComputeObservations None { get; } = new(0, 0, 0, 0, 0, 0);

    public bool IsEmpty => ProvisionSamples == 0 && ExecSamples == 0 && HeartbeatSamples == 0;
}

public static class HistoryCorrection
{
    // Why a blend and not the raw median: one or two cold provisions after install are
    // not the machine's real speed, and a static baseline ignores a slow laptop forever.
    // The baseline counts as BaselineWeight pseudo-samples, so
    //     corrected = (BaselineWeight * baseline + n * measured) / (BaselineWeight + n)
    // 1 sample moves the estimate a sixth of the way, 20 samples four fifths.
    public const double BaselineWeight = 5;

    public static ProviderProfile Apply(ProviderProfile baseline, ComputeObservations observations)
    {
        if (observations.IsEmpty)
        {
            return baseline;
        }

        return baseline with
        {
            StartupMs = (int)Math.Round(Blend(baseline.StartupMs, observations.MedianProvisionMs, observations.ProvisionSamples)),
            ExecMs = (int)Math.Round(Blend(baseline.ExecMs, observations.MedianExecMs, observations.ExecSamples)),
            UptimePercent = Math.Round(Blend(baseline.UptimePercent, observations.UptimePercent, observations.HeartbeatSamples), 2),
            History = observations,
        };
    }

    public static double Blend(double baseline, double measured, int samples) =>
        samples <= 0 ? baseline : ((BaselineWeight * baseline) + (samples * measured)) / (BaselineWeight + samples);
}
