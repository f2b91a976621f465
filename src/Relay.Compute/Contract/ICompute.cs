namespace Cerver.Relay.Compute.Contract;

/// <summary>
/// The compute contract of the Cerver gateway (the seed's <c>CerverInterface</c>): every
/// compute — this machine or a linked relay — is driven through these calls, so routing
/// never needs to know which one it talks to.
/// </summary>
public interface ICompute
{
    string ComputeId { get; }

    Task<SandboxRecord> CreateSandboxAsync(CreateSandboxRequest request, CancellationToken cancellationToken);

    Task<SandboxRecord> GetSandboxAsync(string sandboxId, CancellationToken cancellationToken);

    Task<IReadOnlyList<SandboxRecord>> ListSandboxesAsync(CancellationToken cancellationToken);

    Task<RunResult> RunSandboxAsync(string sandboxId, RunRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Streams a run. Refusals (an unknown sandbox, bad input) are thrown by the first
    /// <c>MoveNextAsync</c>, never by this call and never after an event; the sequence then starts
    /// with one <see cref="RunAcceptedEvent"/> and always ends with one <see cref="RunExitEvent"/>,
    /// or throws a <see cref="ComputeException"/> when the run could not start or its sandbox went away.
    /// </summary>
    IAsyncEnumerable<RunStreamEvent> RunSandboxStreamAsync(string sandboxId, RunRequest request, CancellationToken cancellationToken);

    Task<RunResult> InstallPackageAsync(string sandboxId, InstallPackageRequest request, CancellationToken cancellationToken);

    Task<WriteFileResult> WriteFileAsync(string sandboxId, WriteFileRequest request, CancellationToken cancellationToken);

    Task<ReadFileResult> ReadFileAsync(string sandboxId, string path, FileEncoding encoding, CancellationToken cancellationToken);

    Task<SandboxState> GetStateAsync(string sandboxId, CancellationToken cancellationToken);

    Task<SandboxState> SetStateAsync(string sandboxId, System.Text.Json.Nodes.JsonObject state, CancellationToken cancellationToken);

    Task<DeleteSandboxResult> DeleteSandboxAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>
    /// Runs one turn of a coding agent in the sandbox. Refusals of the request (unknown sandbox
    /// or agent, bad input) throw before the turn starts; after that, every ending — a missing
    /// CLI, a crash, a stall, a timeout, a cancel — is events: an entry that says what happened,
    /// then always one <see cref="Agents.AgentTurnCompleted"/>.
    /// </summary>
    IAsyncEnumerable<Agents.AgentEvent> RunAgentTurnAsync(string sandboxId, Agents.AgentTurn turn, CancellationToken cancellationToken);
}
