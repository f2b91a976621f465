using Cerver.Gateway.Embedded.Routing;
using Cerver.Gateway.Embedded.Sessions;
using Cerver.Gateway.Embedded.StressTests;
using Cerver.Relay.Compute.Contract;

namespace Cerver.Gateway.Embedded.Fleet;

/// <summary>One compute the gateway can run on, with how routing should see it.</summary>
public sealed record RegisteredCompute(ICompute Compute, ExecutableCompute Description, string Isolation, DateTimeOffset? LastHeartbeatAt);

/// <summary>
/// The executable computes of this gateway — this machine today; linked relays join through
/// the same entries — with their profiles corrected by the history the session store measured.
/// </summary>
public sealed class ComputeRegistry(SessionStore sessions) : IComputeDirectory
{
    private const int HistoryWindow = 50;
    private readonly Dictionary<string, RegisteredCompute> _computes = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public void Register(RegisteredCompute compute)
    {
        lock (_lock)
        {
            _computes[compute.Description.ComputeId] = compute;
        }
    }

    /// <summary>Removes a compute unless another registration (a newer link of the same relay) replaced it already.</summary>
    public void Unregister(RegisteredCompute compute)
    {
        lock (_lock)
        {
            if (_computes.TryGetValue(compute.Description.ComputeId, out var current) && ReferenceEquals(current.Compute, compute.Compute))
            {
                _computes.Remove(compute.Description.ComputeId);
            }
        }
    }

    public IReadOnlyList<RegisteredCompute> All()
    {
        lock (_lock)
        {
            return [.. _computes.Values.OrderBy(compute => compute.Description.Kind).ThenBy(compute => compute.Description.ComputeId, StringComparer.Ordinal)];
        }
    }

    public RegisteredCompute? Find(string computeId)
    {
        lock (_lock)
        {
            return _computes.GetValueOrDefault(computeId);
        }
    }

    ICompute? IComputeDirectory.Find(string providerOrComputeId)
    {
        if (Find(providerOrComputeId) is { } byId)
        {
            return byId.Compute;
        }

        return ProviderNames.Canonical(providerOrComputeId) == ProviderNames.Local
            ? All().FirstOrDefault(compute => compute.Description.Kind == ComputeKind.Local)?.Compute
            : null;
    }

    /// <summary>The catalog the router scores now: modeled providers plus every compute with its measured history.</summary>
    public CatalogSnapshot Snapshot() => ProviderCatalog.Snapshot(All().Select(compute => compute.Description with { Observations = Observe(compute.Description.ComputeId) }));

    private ComputeObservations Observe(string computeId)
    {
        var provisions = sessions.RecentDurations(computeId, SessionEventTypes.Provisioned, HistoryWindow);
        var execs = sessions.RecentDurations(computeId, SessionEventTypes.Exec, HistoryWindow);
        return new ComputeObservations(provisions.Count, Median(provisions), execs.Count, Median(execs), 0, 100);
    }

    private static double Median(IReadOnlyList<long> values)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2.0;
    }
}
