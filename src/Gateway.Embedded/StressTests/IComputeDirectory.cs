using Cerver.Relay.Compute.Contract;

namespace Cerver.Gateway.Embedded.StressTests;

// How a stress test reaches the computes it can really run on. Lives here until the
// fleet registry exists; then the registry implements it.
public interface IComputeDirectory
{
    // A catalog routing name ("local") or a compute id ("cmp_…"); null when that compute
    // cannot be reached from this gateway right now.
    ICompute? Find(string providerOrComputeId);
}

// A fixed set of computes, each reachable by its compute id and by any extra names given.
public sealed class StaticComputeDirectory : IComputeDirectory
{
    private readonly Dictionary<string, ICompute> _computes = new(StringComparer.Ordinal);

    public StaticComputeDirectory(IEnumerable<KeyValuePair<string, ICompute>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var (name, compute) in entries)
        {
            _computes[name] = compute;
            _computes[compute.ComputeId] = compute;
        }
    }

    // This machine: reachable as "local" and by its compute id.
    public static StaticComputeDirectory ForLocal(ICompute local) =>
        new([new(Routing.ProviderNames.Local, local)]);

    public ICompute? Find(string providerOrComputeId) =>
        _computes.GetValueOrDefault(providerOrComputeId);
}
