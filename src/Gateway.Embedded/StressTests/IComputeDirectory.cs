using Cerver.Relay.Compute.Contract;

namespace Cerver.Gateway.Embedded.StressTests;

// How a stress test reaches the computes it can really run on (the registry in the daemon).
public interface IComputeDirectory
{
    // A catalog routing name ("local") or a compute id ("cmp_…"); null when that compute
    // cannot be reached from this gateway right now.
    ICompute? Find(string providerOrComputeId);
}
