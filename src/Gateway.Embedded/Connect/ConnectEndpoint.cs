using Cerver.Gateway.Embedded.Accounts;
using Cerver.Gateway.Embedded.Fleet;
using Cerver.Gateway.Embedded.Http;
using Cerver.Relay.Compute.Contract;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace Cerver.Gateway.Embedded.Connect;

/// <summary><c>GET /v2/connect/ws?compute_id=…</c> (SPEC 7, observed): where registered relays dial in to take this gateway's requests.</summary>
public static class ConnectEndpoint
{
    public static IEndpointRouteBuilder MapConnectChannel(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v2/connect/ws", async (HttpContext context, Caller caller, FleetStore fleet, ConnectedRelays relays, IHostApplicationLifetime lifetime) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                return ApiErrors.Result(StatusCodes.Status400BadRequest, "websocket_required", "The connect channel is a WebSocket: connect with an Upgrade request.");
            }

            var computeId = context.Request.Query["compute_id"].ToString();
            if (computeId.Length == 0)
            {
                throw ComputeException.Invalid("compute_id", "is required: the id this gateway gave at registration");
            }

            var compute = await FleetEndpoints.OwnedComputeAsync(computeId, caller, fleet, context.RequestAborted);
            using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                KeepAliveInterval = ConnectedRelay.PingInterval,
                KeepAliveTimeout = 3 * ConnectedRelay.PingInterval,
            });
            await relays.ServeAsync(socket, compute, lifetime.ApplicationStopping);
            return Results.Empty;
        }).AllowRelayKeys().AllowQueryToken();
        return endpoints;
    }
}
