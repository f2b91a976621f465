using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Sessions.Wire;
using Cerver.Relay.Compute.Contract;

namespace Cerver.Gateway.Embedded.Sessions;

/// <summary>
/// What the relay running a session's agent in one of its provider sandboxes reports back (SPEC 11):
/// the session's metadata and its status. The transcript entries come through <see cref="AppendEntries"/>.
/// </summary>
public sealed partial class SessionService
{
    /// <summary>The statuses a relay reports: a turn running, the agent waiting for input, or the session over for good or for ill.</summary>
    public static readonly IReadOnlyList<string> ReportedStatuses = [SessionStatus.Running, SessionStatus.Idle, ReportedCompleted, SessionStatus.Failed];

    private const string ReportedCompleted = "completed";

    private const int MaxEndReasonLength = 1000;

    /// <summary>Merges the keys into the session's metadata, one level deep: a value replaces its key's, a null removes it.</summary>
    public SessionRecord MergeMetadata(string sessionId, PatchSessionRequest request)
    {
        var patch = request.Metadata ?? throw ComputeException.Invalid("metadata", "is required: an object of the keys to set (null removes a key)");
        RequireLive(sessionId);
        return store.Change(sessionId, current =>
        {
            var metadata = (JsonObject)current.Metadata.DeepClone();
            foreach (var (key, value) in patch)
            {
                if (value is null)
                {
                    metadata.Remove(key);
                }
                else
                {
                    metadata[key] = value.DeepClone();
                }
            }

            return current with { Metadata = metadata, UpdatedAt = time.GetUtcNow() };
        }) ?? throw SessionNotFound(sessionId);
    }

    /// <summary>
    /// Records what the relay says: <c>running</c> and <c>idle</c> become the session's status;
    /// <c>completed</c> ends it as terminated and <c>failed</c> as failed, freeing any sandbox it has
    /// here. An ending reported again (a retry) answers the ended session; a turn reported on an
    /// ended session is refused as the other writes are.
    /// </summary>
    public async Task<SessionRecord> ReportStatusAsync(string sessionId, SessionStatusRequest request, CancellationToken cancellationToken)
    {
        var status = request.Status is { } named && ReportedStatuses.Contains(named)
            ? named
            : throw ComputeException.Invalid("status", $"must be one of {string.Join(", ", ReportedStatuses)}");
        if (request.EndReason is { Length: > MaxEndReasonLength })
        {
            throw ComputeException.Invalid("end_reason", $"at most {MaxEndReasonLength} characters");
        }

        var reason = Blank(request.EndReason) ?? status;
        switch (status)
        {
            case ReportedCompleted:
                return await EndAsync(sessionId, SessionStatus.Terminated, SessionEventTypes.Terminated, reason, cancellationToken);
            case SessionStatus.Failed:
                return await EndAsync(sessionId, SessionStatus.Failed, SessionEventTypes.Failed, reason, cancellationToken);
        }

        RequireLive(sessionId);
        var now = time.GetUtcNow();
        return store.Change(sessionId, current => current with { Status = status, UpdatedAt = now },
            (writes, changed) => writes.AppendEvent(sessionId, changed.ComputeId, SessionEventTypes.StatusReported, now, null,
                new JsonObject { ["status"] = status, ["end_reason"] = Blank(request.EndReason) })) ?? throw SessionNotFound(sessionId);
    }
}
