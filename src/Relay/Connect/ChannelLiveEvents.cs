using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Cerver.Gateway.Embedded.Connect;
using Cerver.Gateway.Embedded.Connect.Wire;
using Cerver.Gateway.Embedded.Provider;
using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Agents.Wire;

namespace Cerver.Relay.Connect;

/// <summary>
/// A provider turn's events, live, as <c>stream_event</c> frames on the open connect channel
/// (SPEC 7): <c>{"type": "stream_event", "session_id", "event"}</c>, the event in the agent
/// event shape of the relay's own API. Live only — while no channel is open, or when the
/// gateway reads slower than <see cref="Capacity"/> events behind, an event is dropped: the
/// transcript pushes are the durable record, and a turn never waits for a watcher.
/// </summary>
public sealed class ChannelLiveEvents : ILiveSessionEvents
{
    public const int Capacity = 1024;

    private readonly Channel<ConnectFrame> _frames = Channel.CreateBounded<ConnectFrame>(new BoundedChannelOptions(Capacity)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private volatile bool _open;

    public void Publish(string sessionId, AgentEvent item)
    {
        if (!_open)
        {
            return;
        }

        var wire = JsonSerializer.SerializeToNode(AgentEventWire.From(item), AgentJsonContext.Default.AgentEventWire);
        _frames.Writer.TryWrite(new ConnectFrame { Type = ConnectFrameTypes.StreamEvent, SessionId = sessionId, Event = wire });
    }

    /// <summary>Sends the events published while <paramref name="channel"/> is open, until it goes down.</summary>
    internal async Task PumpAsync(ConnectChannel channel, CancellationToken channelDown)
    {
        _open = true;
        try
        {
            await foreach (var frame in _frames.Reader.ReadAllAsync(channelDown))
            {
                await channel.SendAsync(frame, channelDown);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The channel went down; what was not sent is dropped below.
        }
        finally
        {
            _open = false;
            while (_frames.Reader.TryRead(out _))
            {
            }
        }
    }
}
