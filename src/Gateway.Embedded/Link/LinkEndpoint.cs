using Cerver.Gateway.Embedded.Accounts;
using Cerver.Gateway.Embedded.Fleet;
using Cerver.Gateway.Embedded.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace Cerver.Gateway.Embedded.Link;

/// <summary><c>GET /v2/computes/{id}/link</c>: where relays dial in to take this gateway's calls.</summary>
public static class LinkEndpoint
{
    public static IEndpointRouteBuilder MapRelayLink(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v2/computes/{id}/link", async (string id, HttpContext context, Caller caller, FleetStore fleet, LinkedRelays relays, IHostApplicationLifetime lifetime) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                return ApiErrors.Result(StatusCodes.Status400BadRequest, "websocket_required", "The link is a WebSocket: connect with an Upgrade request.");
            }

            var compute = await FleetEndpoints.OwnedComputeAsync(id, caller, fleet, context.RequestAborted);

            using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                KeepAliveInterval = RelayLink.PingInterval,
                KeepAliveTimeout = 3 * RelayLink.PingInterval,
            });
            await relays.ServeAsync(socket, id, compute.Label, lifetime.ApplicationStopping);
            return Results.Empty;
        }).AllowRelayKeys();
        return endpoints;
    }
}
