namespace Cerver.Gateway.Embedded.Routing;

public enum Workload
{
    General,
    Coding,
    Preview,
    Browser,
    LongRunning,
    Validation,
}

public enum RoutingMode
{
    Balanced,
    Fastest,
    Cheapest,
    Resilient,
    Pinned,
}

// Ordered weakest to strongest: comparisons between levels rely on it.
public enum PersistenceLevel
{
    Low,
    Medium,
    High,
}

public enum Confidence
{
    Low,
    Medium,
    High,
}

public enum ComputeStatus
{
    Online,
    Degraded,
    Offline,
}

// The wire speaks snake_case strings; enums stay C#-cased. One table per enum keeps the
// two spellings from drifting apart and gives validation messages their "expected" lists.
public static class WireNames
{
    private static readonly (Workload Value, string Name)[] Workloads =
    [
        (Workload.General, "general"),
        (Workload.Coding, "coding"),
        (Workload.Preview, "preview"),
        (Workload.Browser, "browser"),
        (Workload.LongRunning, "long_running"),
        (Workload.Validation, "validation"),
    ];

    private static readonly (RoutingMode Value, string Name)[] Modes =
    [
        (RoutingMode.Balanced, "balanced"),
        (RoutingMode.Fastest, "fastest"),
        (RoutingMode.Cheapest, "cheapest"),
        (RoutingMode.Resilient, "resilient"),
        (RoutingMode.Pinned, "pinned"),
    ];

    private static readonly (PersistenceLevel Value, string Name)[] Persistence =
    [
        (PersistenceLevel.Low, "low"),
        (PersistenceLevel.Medium, "medium"),
        (PersistenceLevel.High, "high"),
    ];

    private static readonly (Confidence Value, string Name)[] Confidences =
    [
        (Confidence.Low, "low"),
        (Confidence.Medium, "medium"),
        (Confidence.High, "high"),
    ];

    public static IReadOnlyList<string> WorkloadNames { get; } = [.. Workloads.Select(w => w.Name)];
    public static IReadOnlyList<string> ModeNames { get; } = [.. Modes.Select(m => m.Name)];
    public static IReadOnlyList<string> PersistenceNames { get; } = [.. Persistence.Select(p => p.Name)];

    public static string Of(Workload value) => Workloads.Single(w => w.Value == value).Name;
    public static string Of(RoutingMode value) => Modes.Single(m => m.Value == value).Name;
    public static string Of(PersistenceLevel value) => Persistence.Single(p => p.Value == value).Name;
    public static string Of(Confidence value) => Confidences.Single(c => c.Value == value).Name;

    public static bool TryParse(string name, out Workload value) => TryFind(Workloads, name, out value);
    public static bool TryParse(string name, out RoutingMode value) => TryFind(Modes, name, out value);
    public static bool TryParse(string name, out PersistenceLevel value) => TryFind(Persistence, name, out value);

    private static bool TryFind<T>((T Value, string Name)[] table, string name, out T value)
        where T : struct
    {
        foreach (var (v, n) in table)
        {
            if (string.Equals(n, name.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                value = v;
                return true;
            }
        }

        value = default;
        return false;
    }
}
