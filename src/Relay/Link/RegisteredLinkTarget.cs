using System.Text.Json;
using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Fleet;
using Cerver.Gateway.Embedded.Fleet.Wire;

namespace Cerver.Relay.Link;

/// <summary>The link's target once the registration service has registered this relay: its gateway, key, compute id and capabilities.</summary>
public sealed class RegisteredLinkTarget(GatewayConnection connection, CapabilityDetector capabilities) : ILinkTargetSource
{
    public async Task<LinkTarget> WhenReadyAsync(CancellationToken cancellationToken)
    {
        var registration = await connection.WhenRegisteredAsync(cancellationToken);
        var detected = await capabilities.DetectAsync(cancellationToken);
        return new LinkTarget(registration.GatewayUrl, registration.ApiKey, registration.ComputeId,
            JsonSerializer.SerializeToNode(detected, FleetJsonContext.Default.ComputeCapabilities)?.AsObject() ?? []);
    }
}
