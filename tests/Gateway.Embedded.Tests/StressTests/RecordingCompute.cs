using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Cerver.Relay.Compute.Contract;

namespace Cerver.Gateway.Embedded.Tests.StressTests;

// A real compute seen through a window: records which sandboxes were created and
// deleted, and can run a hook before each buffered or streamed run.
internal sealed class RecordingCompute(ICompute inner) : ICompute
{
    public ConcurrentQueue<string> Created { get; } = new();
    public ConcurrentQueue<string> Deleted { get; } = new();
    public Action? BeforeRun { get; set; }

    public string ComputeId => inner.ComputeId;

    public async Task<SandboxRecord> CreateSandboxAsync(CreateSandboxRequest request, CancellationToken cancellationToken)
    {
        var record = await inner.CreateSandboxAsync(request, cancellationToken);
        Created.Enqueue(record.SandboxId);
        return record;
    }

    public Task<SandboxRecord> GetSandboxAsync(string sandboxId, CancellationToken cancellationToken) => inner.GetSandboxAsync(sandboxId, cancellationToken);

    public Task<IReadOnlyList<SandboxRecord>> ListSandboxesAsync(CancellationToken cancellationToken) => inner.ListSandboxesAsync(cancellationToken);

    public Task<RunResult> RunSandboxAsync(string sandboxId, RunRequest request, CancellationToken cancellationToken)
    {
        BeforeRun?.Invoke();
        return inner.RunSandboxAsync(sandboxId, request, cancellationToken);
    }

    public IAsyncEnumerable<RunStreamEvent> RunSandboxStreamAsync(string sandboxId, RunRequest request, CancellationToken cancellationToken)
    {
        BeforeRun?.Invoke();
        return inner.RunSandboxStreamAsync(sandboxId, request, cancellationToken);
    }

    public Task<RunResult> InstallPackageAsync(string sandboxId, InstallPackageRequest request, CancellationToken cancellationToken) =>
        inner.InstallPackageAsync(sandboxId, request, cancellationToken);

    public Task<WriteFileResult> WriteFileAsync(string sandboxId, WriteFileRequest request, CancellationToken cancellationToken) =>
        inner.WriteFileAsync(sandboxId, request, cancellationToken);

    public Task<ReadFileResult> ReadFileAsync(string sandboxId, string path, FileEncoding encoding, CancellationToken cancellationToken) =>
        inner.ReadFileAsync(sandboxId, path, encoding, cancellationToken);

    public Task<SandboxState> GetStateAsync(string sandboxId, CancellationToken cancellationToken) => inner.GetStateAsync(sandboxId, cancellationToken);

    public Task<SandboxState> SetStateAsync(string sandboxId, JsonObject state, CancellationToken cancellationToken) =>
        inner.SetStateAsync(sandboxId, state, cancellationToken);

    public IAsyncEnumerable<Relay.Compute.Agents.AgentEvent> RunAgentTurnAsync(string sandboxId, Relay.Compute.Agents.AgentTurn turn, CancellationToken cancellationToken) =>
        inner.RunAgentTurnAsync(sandboxId, turn, cancellationToken);

    public async Task<DeleteSandboxResult> DeleteSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var result = await inner.DeleteSandboxAsync(sandboxId, cancellationToken);
        Deleted.Enqueue(sandboxId);
        return result;
    }
}
