using System.Collections.Concurrent;
using System.Net.WebSockets;
using Cerver.Gateway.Embedded.Connect.Wire;
using Cerver.Gateway.Embedded.Fleet;
using Cerver.Gateway.Embedded.Link;
using Cerver.Gateway.Embedded.Routing;
using Microsoft.Extensions.Logging;

namespace Cerver.Gateway.Embedded.Connect;

/// <summary>
/// The relays whose connect channel is open right now, by compute id; a newer channel of a
/// relay replaces its older one. A relay is an executable compute of the registry, described
/// by what it registered, exactly while its channel is open, so the router never sends a
/// session to a relay that cannot answer.
/// </summary>
public sealed partial class ConnectedRelays(ComputeRegistry registry, TimeProvider time, ILoggerFactory loggers)
{
    private readonly ConcurrentDictionary<string, ConnectedRelay> _relays = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<ConnectedRelays>();

    public ConnectedRelay? Find(string computeId) => _relays.GetValueOrDefault(computeId);

    /// <summary>Serves one relay's channel until it ends.</summary>
    public async Task ServeAsync(WebSocket socket, FleetCompute compute, CancellationToken stopping)
    {
        var computeId = compute.ComputeId;
        using var channel = new ConnectChannel(socket);
        using var relay = new ConnectedRelay(channel, computeId, time, loggers.CreateLogger<ConnectedRelay>());
        await channel.SendAsync(new ConnectFrame { Type = ConnectFrameTypes.Connected, ComputeId = computeId }, stopping);
        if (_relays.TryGetValue(computeId, out var previous))
        {
            LogReplaced(computeId);
            previous.Abort();
        }

        _relays[computeId] = relay;
        var registered = new RegisteredCompute(new LinkedCompute(relay), Describe(compute), compute.Capabilities.Isolation ?? "unknown", compute.LastHeartbeatAt);
        registry.Register(registered);
        LogConnected(computeId, compute.RelayVersion);

        // Out of routing the moment the channel ends, before its open requests are failed: a
        // client told "relay_disconnected" must not have its next session routed to the same relay.
        await using var unroute = relay.Closed.Register(() => registry.Unregister(registered));
        try
        {
            await relay.RunAsync(stopping);
        }
        finally
        {
            _relays.TryRemove(new KeyValuePair<string, ConnectedRelay>(computeId, relay));
            registry.Unregister(registered);
            LogDisconnected(computeId);
        }
    }

    private static ExecutableCompute Describe(FleetCompute compute) =>
        new(compute.ComputeId, compute.Label, ComputeKind.LinkedRelay, ComputeLanguages.From(compute.Capabilities.Runtimes?.Keys ?? Enumerable.Empty<string>()), ComputeStatus.Online);

    [LoggerMessage(LogLevel.Information, "Relay {ComputeId} opened its connect channel (relay {Version})")]
    private partial void LogConnected(string computeId, string version);

    [LoggerMessage(LogLevel.Information, "Relay {ComputeId}'s connect channel ended")]
    private partial void LogDisconnected(string computeId);

    [LoggerMessage(LogLevel.Information, "Relay {ComputeId} opened a new connect channel; the older one is dropped")]
    private partial void LogReplaced(string computeId);
}
