using Cerver.Gateway.Embedded.Routing;
using Cerver.Gateway.Embedded.StressTests;
using Cerver.Relay.Compute.Contract;

namespace Cerver.Gateway.Embedded.Tests.StressTests;

// A fixed set of computes for running the stress-test runner without a daemon: each is
// reachable by its compute id and by any extra names given.
internal sealed class StaticComputeDirectory : IComputeDirectory
{
    private readonly Dictionary<string, ICompute> _computes = new(StringComparer.Ordinal);

    public StaticComputeDirectory(IEnumerable<KeyValuePair<string, ICompute>> entries)
    {
        foreach (var (name, compute) in entries)
        {
            _computes[name] = compute;
            _computes[compute.ComputeId] = compute;
        }
    }

    public static StaticComputeDirectory ForLocal(ICompute local) => new([new(ProviderNames.Local, local)]);

    public ICompute? Find(string providerOrComputeId) => _computes.GetValueOrDefault(providerOrComputeId);
}
