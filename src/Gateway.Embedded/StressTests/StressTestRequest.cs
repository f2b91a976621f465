using Cerver.Gateway.Embedded.Routing;

namespace Cerver.Gateway.Embedded.StressTests;

// A stress test that passed StressTestRequestValidator: the kind parsed, the sample size
// settled, and every provider resolved to its catalog profile (in catalog order).
public sealed record StressTestRequest(
    StressKind Kind,
    int SampleSize,
    IReadOnlyList<ProviderProfile> Providers,
    RoutingRequest Routing)
{
    public const int DefaultSampleSize = 5;
    public const int MaxSampleSize = 50;

    public string Task => Routing.Task;

    public Workload Workload => Routing.Workload;
}

public sealed record StressTestValidation(StressTestRequest? Request, IReadOnlyList<FieldError> Errors)
{
    public bool IsValid => Request is not null;
}
