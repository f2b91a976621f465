using System.Collections.Concurrent;
using System.Net.WebSockets;
using Cerver.Gateway.Embedded.Connect.Wire;
using Microsoft.Extensions.Logging;

namespace Cerver.Gateway.Embedded.Connect;

/// <summary>The relays whose connect channel is open right now, by compute id; a newer channel of a relay replaces its older one.</summary>
public sealed partial class ConnectedRelays(TimeProvider time, ILoggerFactory loggers)
{
    private readonly ConcurrentDictionary<string, ConnectedRelay> _relays = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<ConnectedRelays>();

    public ConnectedRelay? Find(string computeId) => _relays.GetValueOrDefault(computeId);

    /// <summary>Serves one relay's channel until it ends.</summary>
    public async Task ServeAsync(WebSocket socket, string computeId, CancellationToken stopping)
    {
        using var channel = new ConnectChannel(socket);
        using var relay = new ConnectedRelay(channel, computeId, time, loggers.CreateLogger<ConnectedRelay>());
        await channel.SendAsync(new ConnectFrame { Type = ConnectFrameTypes.Connected, ComputeId = computeId }, stopping);
        if (_relays.TryGetValue(computeId, out var previous))
        {
            LogReplaced(computeId);
            previous.Abort();
        }

        _relays[computeId] = relay;
        LogConnected(computeId);
        try
        {
            await relay.RunAsync(stopping);
        }
        finally
        {
            _relays.TryRemove(new KeyValuePair<string, ConnectedRelay>(computeId, relay));
            LogDisconnected(computeId);
        }
    }

    [LoggerMessage(LogLevel.Information, "Relay {ComputeId} opened its connect channel")]
    private partial void LogConnected(string computeId);

    [LoggerMessage(LogLevel.Information, "Relay {ComputeId}'s connect channel ended")]
    private partial void LogDisconnected(string computeId);

    [LoggerMessage(LogLevel.Information, "Relay {ComputeId} opened a new connect channel; the older one is dropped")]
    private partial void LogReplaced(string computeId);
}
