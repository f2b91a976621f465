using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Compute.Processes;

namespace Cerver.Relay.Compute.Isolation;

/// <summary>
/// What <c>auto</c> selects when no isolation works here: it fails closed. Nothing runs —
/// no sandbox, agent turn or dispatched work — until the user installs what is missing or
/// chooses <c>CERVER_ISOLATION=none</c> on purpose.
/// </summary>
public sealed class UnavailableIsolationBackend(string refusal) : IIsolationBackend
{
    public const string ErrorCode = "isolation_unavailable";

    public string Name => "unavailable";

    public string? Refusal => refusal;

    public SandboxTemporaryDirectory TemporaryDirectoryFor(string workspace) => SandboxTemporaryDirectory.Private("/tmp");

    public ProcessSpec Wrap(ProcessSpec process, SandboxBoundary boundary) => throw Refused(refusal);

    public static ComputeException Refused(string refusal) => new(ComputeErrorKind.Unavailable, ErrorCode, refusal);
}
