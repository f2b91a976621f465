using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Sessions.Wire;

namespace Cerver.Gateway.Embedded.Provider;

/// <summary>
/// Where a provider sandbox's agent reports to its Cerver session (SPEC 11): the gateway this relay
/// is registered with, which stores the session. Calls come in the order the turn produced them and
/// must keep it; none may throw into the turn or wait on the gateway. The relay's implementation
/// keeps them on disk until the gateway has them; without one, nothing is reported.
/// </summary>
public interface ISessionReports
{
    /// <summary>A transcript entry, with the id that makes a resend harmless and the moment it happened.</summary>
    void Entry(string sessionId, AppendedEntry entry);

    /// <summary>Keys to merge into the session's metadata.</summary>
    void Metadata(string sessionId, JsonObject metadata);

    /// <summary>The session's status (<c>running</c>, <c>idle</c>, <c>completed</c>, <c>failed</c>) and, after a turn, why it ended.</summary>
    void Status(string sessionId, string status, string? endReason);
}

/// <summary>A relay with no gateway to report to (the embedded gateway alone, or a test).</summary>
internal sealed class NoSessionReports : ISessionReports
{
    public void Entry(string sessionId, AppendedEntry entry)
    {
    }

    public void Metadata(string sessionId, JsonObject metadata)
    {
    }

    public void Status(string sessionId, string status, string? endReason)
    {
    }
}
