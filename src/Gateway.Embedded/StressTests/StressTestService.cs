using Cerver.Gateway.Embedded.Fleet;
using Cerver.Gateway.Embedded.StressTests.Wire;
using Cerver.Relay.Compute.Contract;

namespace Cerver.Gateway.Embedded.StressTests;

// The gateway's front for POST /gateway/stress-tests: validates against the catalog of the
// moment and runs one test at a time, because two tests sampling the same machine at once
// would each measure the other's load. The last results stay in memory (GET /gateway/stress-tests,
// the dashboard's history); a restart forgets them, as nothing else records a test.
public sealed class StressTestService(ComputeRegistry registry, TimeProvider time) : IDisposable
{
    public const int Kept = 20;

    private readonly SemaphoreSlim _single = new(1, 1);
    private readonly StressTestRunner _runner = new(registry, time);
    private readonly LinkedList<FinishedStressTest> _recent = new();

    /// <summary>The latest finished tests, newest first.</summary>
    public IReadOnlyList<FinishedStressTest> Recent()
    {
        lock (_recent)
        {
            return [.. _recent];
        }
    }

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
            var result = await _runner.RunAsync(request, cancellationToken);
            lock (_recent)
            {
                _recent.AddFirst(new FinishedStressTest(time.GetUtcNow(), result));
                if (_recent.Count > Kept)
                {
                    _recent.RemoveLast();
                }
            }

            return result;
        }
        finally
        {
            _single.Release();
        }
    }

    public void Dispose() => _single.Dispose();
}
