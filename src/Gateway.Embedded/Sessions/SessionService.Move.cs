using System.Text;
using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Fleet;
using Cerver.Gateway.Embedded.Sessions.Agents;
using Cerver.Relay.Compute.Contract;

namespace Cerver.Gateway.Embedded.Sessions;

/// <summary>
/// <c>change-compute</c> (observed): a session moves to another compute — this machine or a
/// linked relay — with its workspace and its transcript. The workspace crosses through the
/// compute contract alone (packed by a run in the old sandbox, written and unpacked in the new
/// one), so a move works between any two computes; until the new sandbox holds it, the session
/// stays where it was.
/// </summary>
public sealed partial class SessionService
{
    /// <summary>Largest packed workspace a move carries: it crosses a link as one file write.</summary>
    public const int MaxMovedWorkspaceBytes = 10 * 1024 * 1024;

    private const string MovedArchive = ".cerver-move.tgz";

    public async Task<SessionRecord> ChangeComputeAsync(string sessionId, IReadOnlyList<string?>? priority, CancellationToken cancellationToken)
    {
        var session = RequireLive(sessionId);
        if (priority is null || priority.Count == 0 || priority.Any(string.IsNullOrWhiteSpace))
        {
            throw ComputeException.Invalid("compute_priority", "give the compute ids to move to, best first");
        }

        if (session.SandboxId is null || session.ComputeId is null)
        {
            throw new ComputeException(ComputeErrorKind.Conflict, "no_sandbox", $"Session '{sessionId}' has no sandbox to move (a transcript-only session).");
        }

        if (session.Status == SessionStatus.Running || turns.IsRunning(sessionId))
        {
            throw new ComputeException(ComputeErrorKind.Conflict, "turn_running", $"Session '{sessionId}' is running a turn; wait for its session_completed, then move it.");
        }

        if (priority.Contains(session.ComputeId))
        {
            return session;
        }

        var source = registry.Find(session.ComputeId)
            ?? throw new ComputeException(ComputeErrorKind.Unavailable, "compute_unavailable", $"The compute {session.ComputeId} the session is on is not connected, so its workspace cannot be carried.");
        var archive = await PackWorkspaceAsync(source, session.SandboxId, cancellationToken);
        var failures = new List<string>();
        foreach (var computeId in priority)
        {
            if (registry.Find(computeId!) is not { } target)
            {
                failures.Add($"{computeId}: not a connected compute of this gateway");
                continue;
            }

            string? sandboxId = null;
            try
            {
                var sandbox = await target.Compute.CreateSandboxAsync(new CreateSandboxRequest
                {
                    TimeoutMinutes = SandboxMinutes,
                    Metadata = new JsonObject { ["session_id"] = sessionId },
                    Network = AgentSessionSpec.From(session.Metadata) is not null ? true : null,
                }, cancellationToken);
                sandboxId = sandbox.SandboxId;
                await UnpackWorkspaceAsync(target, sandboxId, archive, cancellationToken);
                var moved = Moved(session, target, sandboxId);
                await DeleteQuietlyAsync(source, session.SandboxId);
                return moved;
            }
            catch (ComputeException exception)
            {
                failures.Add($"{computeId}: {exception.Message}");
                if (sandboxId is not null)
                {
                    await DeleteQuietlyAsync(target, sandboxId);
                }
            }
        }

        throw new ComputeException(ComputeErrorKind.Unavailable, "move_failed",
            $"Session '{sessionId}' stays on {session.ComputeId}: no compute took it ({string.Join("; ", failures)}).");
    }

    /// <summary>The workspace as a gzip'd tar, from a streamed run (streams are not cut) in the old sandbox.</summary>
    private static async Task<string> PackWorkspaceAsync(RegisteredCompute source, string sandboxId, CancellationToken cancellationToken)
    {
        var packed = new StringBuilder();
        var errors = new StringBuilder();
        RunExitEvent? exit = null;
        await foreach (var item in source.Compute.RunSandboxStreamAsync(sandboxId, new RunRequest
        {
            Code = $"tar -C \"$HOME\" -czf - . | base64 -w0",
            Timeout = 300,
        }, cancellationToken))
        {
            switch (item)
            {
                case RunOutputEvent { Kind: OutputKind.Stdout } output:
                    packed.Append(output.Text);
                    if (packed.Length > MaxMovedWorkspaceBytes / 3 * 4 + 4)
                    {
                        throw new ComputeException(ComputeErrorKind.TooLarge, "workspace_too_large_to_move",
                            $"The workspace packs to more than {MaxMovedWorkspaceBytes / (1024 * 1024)} MiB; remove what the session does not need (build output, dependencies it can reinstall) and move it again.");
                    }

                    break;
                case RunOutputEvent output:
                    errors.Append(output.Text);
                    break;
                case RunExitEvent ended:
                    exit = ended;
                    break;
            }
        }

        return exit is { ExitCode: 0 }
            ? packed.ToString()
            : throw new ComputeException(ComputeErrorKind.Fault, "pack_failed", $"Packing the workspace failed (exit {exit?.ExitCode}): {errors.ToString().Trim()}");
    }

    private static async Task UnpackWorkspaceAsync(RegisteredCompute target, string sandboxId, string archive, CancellationToken cancellationToken)
    {
        await target.Compute.WriteFileAsync(sandboxId, new WriteFileRequest { Path = MovedArchive, Content = archive, Encoding = "base64" }, cancellationToken);
        var unpacked = await target.Compute.RunSandboxAsync(sandboxId, new RunRequest { Code = $"tar -xzf {MovedArchive} && rm {MovedArchive}", Timeout = 300 }, cancellationToken);
        if (unpacked.ExitCode != 0)
        {
            throw new ComputeException(ComputeErrorKind.Fault, "unpack_failed", $"Unpacking the workspace failed (exit {unpacked.ExitCode}): {unpacked.Stderr.Trim()}");
        }
    }

    /// <summary>
    /// The session on its new compute, in one commit with a <c>compute_change</c> entry. The
    /// agent's own thread stayed with the old sandbox, so the next turn starts a fresh one that is
    /// given the conversation so far.
    /// </summary>
    private SessionRecord Moved(SessionRecord session, RegisteredCompute target, string sandboxId)
    {
        var now = time.GetUtcNow();
        return store.Change(session.SessionId, current =>
        {
            var metadata = (JsonObject)current.Metadata.DeepClone();
            metadata.Remove("cli_session_id");
            metadata.Remove("usage_thread");
            return current with
            {
                ComputeId = target.Description.ComputeId,
                SandboxId = sandboxId,
                Metadata = metadata,
                UpdatedAt = now,
            };
        }, (writes, changed) =>
        {
            writes.AppendTranscript(session.SessionId, new NewTranscriptEntry("system", "compute_change", new JsonObject
            {
                ["type"] = "compute_change",
                ["from"] = session.ComputeId,
                ["to"] = changed.ComputeId,
            }.ToJsonString()), now);
            writes.AppendEvent(session.SessionId, changed.ComputeId, SessionEventTypes.Provisioned, now, null,
                new JsonObject { ["provider"] = changed.Provider, ["sandbox_id"] = sandboxId, ["moved_from"] = session.ComputeId });
        })!;
    }

    private static async Task DeleteQuietlyAsync(RegisteredCompute compute, string sandboxId)
    {
        try
        {
            await compute.Compute.DeleteSandboxAsync(sandboxId, CancellationToken.None);
        }
        catch (ComputeException)
        {
            // Gone already, or its compute away: its expiry deletes it.
        }
    }
}
