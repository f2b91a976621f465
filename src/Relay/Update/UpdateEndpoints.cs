using Cerver.Gateway.Embedded.Http;
using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Daemon;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cerver.Relay.Update;

/// <summary>
/// <c>POST /relay/update/activate</c>: the <c>update</c> command has staged and verified a version;
/// a daemon under a service manager makes it current, drains and hands over.
/// </summary>
public static class UpdateEndpoints
{
    public static IEndpointRouteBuilder MapUpdateEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/relay/update/activate", async (HttpRequest request, UpdateHandoff handoff, Updater updater, RelaySettingsSnapshot snapshot) =>
        {
            var body = await JsonBody.ReadAsync(request, RelayJsonContext.Default.ActivateUpdateRequest);
            if (!SemanticVersion.TryParse(body.Version, out var version))
            {
                throw ComputeException.Invalid("version", "a semantic version such as 1.2.3 is required");
            }

            if (snapshot.Value.ServiceManager is null)
            {
                throw new ComputeException(ComputeErrorKind.Conflict, "not_a_service",
                    "This relay runs in the foreground, not as a service, so nothing would start it again after an update; stop it and run 'cerver-relay update', or use 'cerver-relay service install'.");
            }

            try
            {
                await Installation.SmokeTestAsync(updater.Installation.BinaryOf(version.ToString()), version, request.HttpContext.RequestAborted);
                var pending = handoff.Begin(version, snapshot.Value.ShutdownGrace);
                return Results.Json(new ActivateUpdateResponse(pending.Version, pending.Previous, "restarting"), RelayJsonContext.Default.ActivateUpdateResponse, statusCode: StatusCodes.Status202Accepted);
            }
            catch (UpdateException exception)
            {
                return ApiErrors.Result(StatusCodes.Status409Conflict, "update_refused", exception.Message);
            }
        });
        return endpoints;
    }
}

public sealed record ActivateUpdateRequest
{
    public string? Version { get; init; }
}

public sealed record ActivateUpdateResponse(string Version, string? Previous, string Status);
