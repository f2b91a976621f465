using Cerver.Relay.Compute.Agents;

namespace Cerver.Gateway.Embedded.Provider;

/// <summary>
/// Each event of a provider sandbox's turn as it happens, for watchers of its Cerver session (the
/// connect channel's <c>stream_event</c> frames, SPEC 7). Live only: an event nobody can take now
/// is dropped, never queued; the durable record is <see cref="ISessionReports"/>. Called on the
/// turn's own path, so it must return at once and never throw.
/// </summary>
public interface ILiveSessionEvents
{
    void Publish(string sessionId, AgentEvent item);
}

/// <summary>Nobody watches: the default until the connect channel takes the events.</summary>
internal sealed class NoLiveSessionEvents : ILiveSessionEvents
{
    public void Publish(string sessionId, AgentEvent item)
    {
    }
}
