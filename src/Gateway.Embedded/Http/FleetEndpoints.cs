using Cerver.Gateway.Embedded.Accounts;
using Cerver.Gateway.Embedded.Fleet;
using Cerver.Gateway.Embedded.Fleet.Wire;
using Cerver.Gateway.Embedded.Routing;
using Cerver.Relay.Compute.Contract;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Cerver.Gateway.Embedded.Http;

/// <summary>Registration and heartbeat of relay computes (SPEC 7), and the list of every compute of this gateway.</summary>
public static class FleetEndpoints
{
    private const string Scope = "private";

    public static IEndpointRouteBuilder MapFleetApi(this IEndpointRouteBuilder endpoints)
    {
        var json = FleetJsonContext.Default;

        endpoints.MapGet("/v2/computes", async (Caller caller, ComputeRegistry registry, FleetStore fleet, CapabilityDetector detector, CancellationToken cancellationToken) =>
        {
            var computes = new List<ComputeInfo>();
            if (caller.IsOwner)
            {
                // Only this machine from the registry: linked relays are listed from the fleet table below.
                var capabilities = await detector.DetectAsync(cancellationToken);
                computes.AddRange(registry.All().Where(compute => compute.Description.Kind == ComputeKind.Local).Select(compute => LocalInfoOf(compute, capabilities)));
            }

            var relays = await fleet.ListAsync(caller.IsOwner ? null : caller.AccountId, cancellationToken);
            computes.AddRange(relays.Select(compute => InfoOf(compute, fleet)));
            return Results.Json(new ComputeListResponse(computes), json.ComputeListResponse);
        }).AllowRelayKeys();

        endpoints.MapPost("/v2/computes/register", async (HttpRequest request, Caller caller, FleetStore fleet) =>
        {
            var registration = ValidRegistration.From(await JsonBody.ReadAsync(request, json.RegisterComputeRequest), caller);
            var compute = await fleet.RegisterAsync(caller, registration, request.HttpContext.RequestAborted);
            return Results.Json(InfoOf(compute, fleet), json.ComputeInfo);
        }).AllowRelayKeys();

        endpoints.MapPost("/v2/computes/{id}/heartbeat", async (string id, HttpRequest request, Caller caller, FleetStore fleet, IOptions<GatewayOptions> options) =>
        {
            var body = await JsonBody.ReadAsync(request, json.HeartbeatRequest);
            if (body.Status is null || !FleetStatus.Reported.Contains(body.Status))
            {
                throw ComputeException.Invalid("status", $"must be one of {string.Join(", ", FleetStatus.Reported)}");
            }

            if (body.Metadata?.ActiveSandboxes is < 0)
            {
                throw ComputeException.Invalid("metadata.active_sandboxes", "must not be negative");
            }

            ValidRegistration.Text(body.Metadata?.RelayVersion, "metadata.relay_version");
            await OwnedComputeAsync(id, caller, fleet, request.HttpContext.RequestAborted);
            var status = body.Status == FleetStatus.Online ? FleetStatus.Ready : body.Status;
            var compute = await fleet.HeartbeatAsync(id, status, body.Capabilities, body.Metadata, request.HttpContext.RequestAborted);
            return Results.Json(new HeartbeatResponse(compute.ComputeId, fleet.StatusOf(compute), compute.LastHeartbeatAt!.Value,
                (int)options.Value.HeartbeatInterval.TotalSeconds), json.HeartbeatResponse);
        }).AllowRelayKeys();

        endpoints.MapDelete("/v2/computes/{id}", async (string id, Caller caller, FleetStore fleet, CancellationToken cancellationToken) =>
        {
            await OwnedComputeAsync(id, caller, fleet, cancellationToken);
            await fleet.DeleteAsync(id, cancellationToken);
            return Results.Json(new UnregisterResponse(id, "deleted"), json.UnregisterResponse);
        }).AllowRelayKeys();

        return endpoints;
    }

    /// <summary>The registered compute, if the caller may act for it (its own account's, or any for the owner).</summary>
    internal static async Task<FleetCompute> OwnedComputeAsync(string id, Caller caller, FleetStore fleet, CancellationToken cancellationToken)
    {
        var compute = await fleet.FindAsync(id, cancellationToken)
            ?? throw new ComputeException(ComputeErrorKind.NotFound, "compute_not_found", $"No compute '{id}' is registered with this gateway; register with POST /v2/computes/register.");
        if (!caller.IsOwner && compute.AccountId != caller.AccountId)
        {
            throw new ComputeException(ComputeErrorKind.Forbidden, "forbidden_compute", $"Compute '{id}' belongs to another account.");
        }

        return compute;
    }

    private static ComputeInfo InfoOf(FleetCompute compute, FleetStore fleet) =>
        new(compute.ComputeId, compute.Label, ValidRegistration.Provider, fleet.StatusOf(compute), Scope, "relay", compute.LastHeartbeatAt, compute.Capabilities)
        {
            MachineId = compute.MachineId,
            AccountId = compute.AccountId,
            OwnerId = compute.AccountId,
            RelayVersion = compute.RelayVersion,
            Os = compute.Os,
            Arch = compute.Arch,
            RegisteredAt = compute.RegisteredAt,
            ActiveSandboxes = compute.ActiveSandboxes,
        };

    private static ComputeInfo LocalInfoOf(RegisteredCompute compute, ComputeCapabilities capabilities) =>
        new(compute.Description.ComputeId, compute.Description.Label, ValidRegistration.Provider,
            // The `cerver` CLI runs on the first compute whose status is `ready` (observed), as relays report theirs.
            compute.Description.Status == ComputeStatus.Offline ? FleetStatus.Offline : FleetStatus.Ready, Scope, "local", compute.LastHeartbeatAt, capabilities);
}
