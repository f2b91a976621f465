using System.Text.Json.Nodes;
using Cerver.Relay.Compute;
using Cerver.Relay.Compute.Agents.Wire;
using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Compute.Sandboxes;
using Cerver.Relay.Compute.Files;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cerver.Gateway.Embedded.Http;

/// <summary>The compute contract over HTTP, under <c>/sandbox</c> as the seed keeps it for compatibility.</summary>
public static class ComputeEndpoints
{
    public static IEndpointRouteBuilder MapComputeApi(this IEndpointRouteBuilder endpoints)
    {
        var json = ComputeJsonContext.Wire;
        var sandbox = endpoints.MapGroup("/sandbox");

        sandbox.MapPost("", async (HttpRequest request, ICompute compute) =>
        {
            var body = await JsonBody.ReadAsync(request, json.CreateSandboxRequest, allowEmpty: true);
            var record = await compute.CreateSandboxAsync(body, request.HttpContext.RequestAborted);
            return Results.Json(record, json.SandboxRecord, statusCode: StatusCodes.Status201Created);
        });

        sandbox.MapGet("", async (ICompute compute, CancellationToken cancellationToken) =>
            Results.Json(new SandboxList(await compute.ListSandboxesAsync(cancellationToken)), json.SandboxList));

        sandbox.MapGet("/{id}", async (string id, ICompute compute, CancellationToken cancellationToken) =>
            Results.Json(await compute.GetSandboxAsync(id, cancellationToken), json.SandboxRecord));

        // Runs live only where they ran: this machine's own sandboxes.
        sandbox.MapGet("/{id}/runs", (string id, LocalCompute compute) => Results.Json(compute.RecentRuns(id), json.SandboxRunList));

        sandbox.MapPost("/{id}/run", async (string id, HttpRequest request, ICompute compute) =>
        {
            var body = await JsonBody.ReadAsync(request, json.RunRequest);
            return Results.Json(await compute.RunSandboxAsync(id, body, request.HttpContext.RequestAborted), json.RunResult);
        });

        sandbox.MapPost("/{id}/run/stream", async (string id, HttpContext context, ICompute compute) =>
        {
            var body = await JsonBody.ReadAsync(context.Request, json.RunRequest);
            var events = compute.RunSandboxStreamAsync(id, body, context.RequestAborted);
            await ServerSentRunEvents.StreamAsync(context.Response, events, onStarted: null, context.RequestAborted);
        });

        // A raw turn of an agent CLI in the sandbox: how a gateway runs its sessions' turns on a linked relay.
        sandbox.MapPost("/{id}/agent/turn", async (string id, HttpContext context, ICompute compute) =>
        {
            var turn = (await JsonBody.ReadAsync(context.Request, AgentJsonContext.Default.AgentTurnWire)).ToTurn();
            await ServerSentAgentEvents.StreamAsync(context.Response, compute.RunAgentTurnAsync(id, turn, context.RequestAborted), context.RequestAborted);
        });

        sandbox.MapPost("/{id}/packages", async (string id, HttpRequest request, ICompute compute) =>
        {
            var body = await JsonBody.ReadAsync(request, json.InstallPackageRequest);
            return Results.Json(await compute.InstallPackageAsync(id, body, request.HttpContext.RequestAborted), json.RunResult);
        });

        sandbox.MapFilesAndState();

        sandbox.MapDelete("/{id}", async (string id, ICompute compute, CancellationToken cancellationToken) =>
            Results.Json(await compute.DeleteSandboxAsync(id, cancellationToken), json.DeleteSandboxResult));

        return endpoints;
    }

    /// <summary>A sandbox's files and state under <paramref name="group"/>: the same calls for <c>/sandbox</c> and the hosted gateway's provider paths.</summary>
    internal static RouteGroupBuilder MapFilesAndState(this RouteGroupBuilder group)
    {
        var json = ComputeJsonContext.Wire;
        var maxFileBytes = ((IEndpointRouteBuilder)group).ServiceProvider.GetRequiredService<IOptions<ComputeOptions>>().Value.MaxFileBytes;
        group.MapPut("/{id}/files", async (string id, HttpRequest request, ICompute compute) =>
        {
            var body = await JsonBody.ReadAsync(request, json.WriteFileRequest);
            return Results.Json(await compute.WriteFileAsync(id, body, request.HttpContext.RequestAborted), json.WriteFileResult);
        }).WithMetadata(new BodySizeLimit(FileWriteBodyLimit(maxFileBytes)));

        group.MapGet("/{id}/files", async (string id, string? path, string? encoding, ICompute compute, CancellationToken cancellationToken) =>
        {
            var parsed = WorkspaceFiles.ParseEncoding(encoding, "encoding");
            return Results.Json(await compute.ReadFileAsync(id, path ?? "", parsed, cancellationToken), json.ReadFileResult);
        });

        group.MapGet("/{id}/state", async (string id, ICompute compute, CancellationToken cancellationToken) =>
            Results.Json(await compute.GetStateAsync(id, cancellationToken), json.SandboxState));

        group.MapPut("/{id}/state", async (string id, HttpRequest request, ICompute compute) =>
        {
            var body = await JsonBody.ReadAsync(request, json.SetStateRequest);
            if (body.State is not JsonObject state)
            {
                throw ComputeException.Invalid("state", "must be a JSON object");
            }

            return Results.Json(await compute.SetStateAsync(id, state, request.HttpContext.RequestAborted), json.SandboxState);
        });

        return group;
    }

    /// <summary>
    /// The body a write of the largest legal file needs, whatever the API's general cap: as
    /// base64 it is a third larger, as JSON text up to twice as large for text a JSON encoder
    /// escapes in part (characters outside the basic plane), plus room for the other fields.
    /// Text that is mostly control characters escapes worse; such a file goes as base64.
    /// </summary>
    internal static long FileWriteBodyLimit(long maxFileBytes) => 2 * maxFileBytes + 1024 * 1024;

    private sealed record BodySizeLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;
}
