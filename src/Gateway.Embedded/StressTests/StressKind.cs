namespace Cerver.Gateway.Embedded.StressTests;

// The seed's "Kinds supported now". Each kind names one workload shape the gateway
// measures the same way on every provider.
public enum StressKind
{
    ColdStart,
    StreamResponse,
    PackageInstall,
    PreviewLaunch,
    LongSession,
}

public static class StressKinds
{
    private static readonly (StressKind Value, string Name, string Words, string Metric)[] Table =
    [
        (StressKind.ColdStart, "cold_start", "cold start", "create-to-first-exec time"),
        (StressKind.StreamResponse, "stream_response", "stream response", "time to first byte"),
        (StressKind.PackageInstall, "package_install", "package install", "install time"),
        (StressKind.PreviewLaunch, "preview_launch", "preview launch", "time until the preview server answers"),
        (StressKind.LongSession, "long_session", "long session", "exec latency within one session"),
    ];

    public static IReadOnlyList<string> Names { get; } = [.. Table.Select(k => k.Name)];

    public static string WireName(StressKind kind) => Row(kind).Name;

    // "cold start": how a headline speaks about the kind.
    public static string Words(StressKind kind) => Row(kind).Words;

    // What median_ms and p95_ms measure for this kind.
    public static string Metric(StressKind kind) => Row(kind).Metric;

    public static bool TryParse(string? name, out StressKind kind)
    {
        foreach (var row in Table)
        {
            if (string.Equals(row.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                kind = row.Value;
                return true;
            }
        }

        kind = default;
        return false;
    }

    private static (StressKind Value, string Name, string Words, string Metric) Row(StressKind kind) =>
        Table.Single(row => row.Value == kind);
}
