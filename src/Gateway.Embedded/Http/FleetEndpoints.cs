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
    private const string Provider = "cerver_local_provider";
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

        endpoints.MapPost("/v2/computes", async (HttpRequest request, Caller caller, FleetStore fleet) =>
        {
            var body = Validated(await JsonBody.ReadAsync(request, json.RegisterComputeRequest), caller);
            var compute = await fleet.RegisterAsync(caller, body, request.HttpContext.RequestAborted);
            return Results.Json(InfoOf(compute, fleet), json.ComputeInfo);
        }).AllowRelayKeys();

        endpoints.MapPost("/v2/computes/{id}/heartbeat", async (string id, HttpRequest request, Caller caller, FleetStore fleet, IOptions<GatewayOptions> options) =>
        {
            var body = await JsonBody.ReadAsync(request, json.HeartbeatRequest);
            if (body.Status is null || !FleetStatus.Reported.Contains(body.Status))
            {
                throw ComputeException.Invalid("status", $"must be one of {string.Join(", ", FleetStatus.Reported)}");
            }

            if (body.ActiveSandboxes is not >= 0)
            {
                throw ComputeException.Invalid("active_sandboxes", "a whole number of 0 or more is required");
            }

            Text(body.Version, "version", required: false);
            await OwnedComputeAsync(id, caller, fleet, request.HttpContext.RequestAborted);
            var compute = await fleet.HeartbeatAsync(id, body.Status, body.ActiveSandboxes.Value, body.Version, request.HttpContext.RequestAborted);
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

    /// <summary>The compute, when the caller may act on it: the owner on any, a relay key on its account's.</summary>
    /// <summary>The registered compute, if the caller may act for it (its own account's, or any for the owner).</summary>
    internal static async Task<FleetCompute> OwnedComputeAsync(string id, Caller caller, FleetStore fleet, CancellationToken cancellationToken)
    {
        var compute = await fleet.FindAsync(id, cancellationToken)
            ?? throw new ComputeException(ComputeErrorKind.NotFound, "compute_not_found", $"No compute '{id}' is registered with this gateway; register with POST /v2/computes.");
        if (!caller.IsOwner && compute.AccountId != caller.AccountId)
        {
            throw new ComputeException(ComputeErrorKind.Forbidden, "forbidden_compute", $"Compute '{id}' belongs to another account.");
        }

        return compute;
    }

    /// <summary>Checks a registration field by field and fills what may be left out.</summary>
    private static RegisterComputeRequest Validated(RegisterComputeRequest body, Caller caller)
    {
        var machineId = Text(body.MachineId, "machine_id", required: true)!;
        if (!machineId.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':'))
        {
            throw ComputeException.Invalid("machine_id", "may hold only letters, digits, '_', '-', '.' and ':'");
        }

        Fixed(body.Provider, "provider", Provider);
        Fixed(body.Kind, "kind", "relay");
        Fixed(body.Scope, "scope", Scope);
        var capabilities = body.Capabilities ?? throw ComputeException.Invalid("capabilities", "an object is required");
        if (capabilities.Cpus is < 1 || capabilities.MemoryMb is < 0 || capabilities.MaxSandboxes is < 0)
        {
            var field = capabilities.Cpus is < 1 ? "cpus" : capabilities.MemoryMb is < 0 ? "memory_mb" : "max_sandboxes";
            throw ComputeException.Invalid($"capabilities.{field}", "must not be negative (cpus at least 1)");
        }

        return body with
        {
            MachineId = machineId,
            Label = Text(body.Label, "label", required: false) ?? caller.MachineName ?? machineId,
            Provider = Provider,
            Kind = "relay",
            Scope = Scope,
            RelayVersion = Text(body.RelayVersion, "relay_version", required: true),
            Os = Text(body.Os, "os", required: true),
            Arch = Text(body.Arch, "arch", required: true),
            Capabilities = capabilities with
            {
                Runtimes = capabilities.Runtimes ?? [],
                CliTools = capabilities.CliTools ?? [],
                LocalModels = capabilities.LocalModels ?? [],
                Isolation = Text(capabilities.Isolation, "capabilities.isolation", required: false) ?? "none",
            },
        };
    }

    private static string? Text(string? value, string field, bool required, int maxLength = 200)
    {
        if (value is null)
        {
            return required ? throw ComputeException.Invalid(field, "a string is required") : null;
        }

        return string.IsNullOrWhiteSpace(value) || value.Length > maxLength || value.Any(char.IsControl)
            ? throw ComputeException.Invalid(field, $"must be 1 to {maxLength} printable characters")
            : value.Trim();
    }

    private static void Fixed(string? value, string field, string only)
    {
        if (value is not null && value != only)
        {
            throw ComputeException.Invalid(field, $"must be '{only}', not '{value}'");
        }
    }

    private static ComputeInfo InfoOf(FleetCompute compute, FleetStore fleet) =>
        new(compute.ComputeId, compute.Label, Provider, fleet.StatusOf(compute), Scope, "relay", compute.LastHeartbeatAt, compute.Capabilities)
        {
            MachineId = compute.MachineId,
            AccountId = compute.AccountId,
            RelayVersion = compute.RelayVersion,
            Os = compute.Os,
            Arch = compute.Arch,
            RegisteredAt = compute.RegisteredAt,
            ActiveSandboxes = compute.ActiveSandboxes,
        };

    private static ComputeInfo LocalInfoOf(RegisteredCompute compute, ComputeCapabilities capabilities) =>
        new(compute.Description.ComputeId, compute.Description.Label, Provider,
            // The `cerver` CLI runs on the first compute whose status is `ready` (observed), as relays report theirs.
            compute.Description.Status == ComputeStatus.Offline ? FleetStatus.Offline : FleetStatus.Ready, Scope, "local", compute.LastHeartbeatAt, capabilities);
}
