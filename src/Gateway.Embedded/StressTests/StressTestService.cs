using Cerver.Gateway.Embedded.Fleet;
using Cerver.Gateway.Embedded.StressTests.Wire;
using Cerver.Relay.Compute.Contract;

namespace Cerver.Gateway.Embedded.StressTests;

// The gateway's front for POST /gateway/stress-tests: validates against the catalog of the
// moment and runs one test at a time, because two tests sampling the same machine at once
// would each measure the other's load.
public sealed class StressTestService(ComputeRegistry registry, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _single = new(1, 1);
    private readonly StressTestRunner _runner = new(registry, time);

    public async Task<StressTestResult> RunAsync(StressTestRequestBody body, CancellationToken cancellationToken)
    {
        var validation = StressTestRequestValidator.Validate(body, registry.Snapshot());
        var request = validation.Request ?? throw new ComputeException(ComputeErrorKind.InvalidInput, "invalid_request",
            string.Join("; ", validation.Errors.Select(error => error.ToString())));

        if (!await _single.WaitAsync(TimeSpan.Zero, cancellationToken))
        {
            throw new ComputeException(ComputeErrorKind.Busy, "stress_test_running",
                "Another stress test is running on this gateway; send this one when it has finished.");
        }

        try
        {
            return await _runner.RunAsync(request, cancellationToken);
        }
        finally
        {
            _single.Release();
        }
    }

    public void Dispose() => _single.Dispose();
}
