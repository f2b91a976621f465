namespace Cerver.Gateway.Embedded.Routing;

public static class ProviderCatalog
{
    // Baselines for the seed's cloud providers. They are modeled, never executed from the
    // embedded gateway, so these numbers are the only thing the router knows about them.
    public static IReadOnlyList<ProviderProfile> ModeledProviders { get; } =
    [
        new()
        {
            Name = ProviderNames.Cloudflare,
            DisplayName = "Cloudflare",
            Executable = false,
            Runtimes = ["node", "python", "shell"],
            Browser = true,
            PublicPreview = true,
            Persistence = PersistenceLevel.Low,
            MaxTimeoutMinutes = 60,
            StartupMs = 450,
            ExecMs = 150,
            Cost = new CostModel(PerMinuteUsd: 0.0006, PerSessionUsd: 0.002),
            UptimePercent = 99.9,
            StrongWorkloads = [Workload.General, Workload.Validation, Workload.Browser],
            Frameworks = ["hono", "remix", "astro"],
        },
        new()
        {
            Name = ProviderNames.Vercel,
            DisplayName = "Vercel Sandbox",
            Executable = false,
            Runtimes = ["node", "python", "shell"],
            PublicPreview = true,
            Persistence = PersistenceLevel.Low,
            MaxTimeoutMinutes = 45,
            StartupMs = 800,
            ExecMs = 120,
            Cost = new CostModel(PerMinuteUsd: 0.008, PerSessionUsd: 0.003),
            UptimePercent = 99.8,
            StrongWorkloads = [Workload.Preview],
            Frameworks = ["nextjs", "nuxt", "sveltekit"],
        },
        new()
        {
            Name = ProviderNames.E2b,
            DisplayName = "E2B",
            Executable = false,
            Runtimes = ["node", "python", "shell"],
            Browser = true,
            Desktop = true,
            PublicPreview = true,
            Persistence = PersistenceLevel.Medium,
            MaxTimeoutMinutes = 1440,
            StartupMs = 400,
            ExecMs = 100,
            Cost = new CostModel(PerMinuteUsd: 0.0017, PerSessionUsd: 0),
            UptimePercent = 99.5,
            StrongWorkloads = [Workload.Coding, Workload.Validation],
        },
        new()
        {
            Name = ProviderNames.Daytona,
            DisplayName = "Daytona",
            Executable = false,
            Runtimes = ["node", "python", "shell"],
            Browser = true,
            Desktop = true,
            PublicPreview = true,
            Persistence = PersistenceLevel.High,
            MaxTimeoutMinutes = 10080,
            StartupMs = 900,
            ExecMs = 130,
            Cost = new CostModel(PerMinuteUsd: 0.0011, PerSessionUsd: 0),
            UptimePercent = 99.0,
            StrongWorkloads = [Workload.LongRunning, Workload.Coding],
        },
    ];

    // Baselines for executable computes before any history exists. A relay pays a
    // network hop to the gateway on every call, so it starts slower than this machine.
    public const int LocalStartupBaselineMs = 250;
    public const int LocalExecBaselineMs = 50;
    public const int RelayStartupBaselineMs = 700;
    public const int RelayExecBaselineMs = 150;
    public const double ComputeUptimeBaselinePercent = 99.0;
    public const int ComputeMaxTimeoutMinutes = 1440;

    public static CatalogSnapshot Snapshot(
        IEnumerable<ExecutableCompute> computes,
        IReadOnlyDictionary<string, ComputeStatus>? modeledStatus = null)
    {
        ArgumentNullException.ThrowIfNull(computes);
        var modeled = ModeledProviders.Select(p =>
            modeledStatus is not null && modeledStatus.TryGetValue(p.Name, out var status) ? p with { Status = status } : p);
        return new CatalogSnapshot(modeled.Concat(computes.Select(ProfileOf)));
    }

    public static ProviderProfile ProfileOf(ExecutableCompute compute)
    {
        ArgumentNullException.ThrowIfNull(compute);
        var local = compute.Kind == ComputeKind.Local;
        var baseline = new ProviderProfile
        {
            Name = local ? ProviderNames.Local : compute.ComputeId,
            DisplayName = local ? $"this machine ({compute.Label})" : $"relay {compute.Label}",
            ComputeId = compute.ComputeId,
            Executable = true,
            Status = compute.Status,
            Runtimes = [.. compute.Runtimes.Select(r => r.ToLowerInvariant()).Order(StringComparer.Ordinal)],
            Browser = compute.Browser,
            Desktop = compute.Desktop,
            PublicPreview = compute.PublicPreview,
            Persistence = PersistenceLevel.High,
            MaxTimeoutMinutes = ComputeMaxTimeoutMinutes,
            StartupMs = local ? LocalStartupBaselineMs : RelayStartupBaselineMs,
            ExecMs = local ? LocalExecBaselineMs : RelayExecBaselineMs,
            Cost = compute.Cost,
            UptimePercent = ComputeUptimeBaselinePercent,
            StrongWorkloads = [Workload.General, Workload.Coding, Workload.LongRunning, Workload.Validation],
        };
        return HistoryCorrection.Apply(baseline, compute.Observations);
    }
}
