using System.Text;
using System.Text.Json;
using Cerver.Gateway.Embedded.Fleet;
using Cerver.Gateway.Embedded.Fleet.Wire;
using Cerver.Gateway.Embedded.Http;
using Cerver.Gateway.Embedded.Provider.Wire;
using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Agents.Wire;
using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Compute.Sandboxes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Cerver.Gateway.Embedded.Provider;

/// <summary>
/// The hosted gateway's own paths on the relay (SPEC 11, observed in the original relay),
/// reached over the connect channel: this machine as the <c>cerver_local_provider</c>, whose
/// sandboxes are real sandboxes and whose runs are turns of a coding agent.
/// </summary>
public static class ProviderEndpoints
{
    public static IEndpointRouteBuilder MapProviderApi(this IEndpointRouteBuilder endpoints)
    {
        var json = ProviderJsonContext.Default;
        var provider = endpoints.MapGroup("/api/cerver/provider");

        provider.MapGet("", async (LocalCompute compute, CapabilityDetector capabilities, IOptions<GatewayOptions> options, CancellationToken cancellationToken) =>
            Results.Json(new ProviderInfo(ValidRegistration.Provider, options.Value.Label, compute.Gate.IsDraining ? "draining" : "ready",
                options.Value.MachineId, Environment.MachineName, compute.ComputeId, await capabilities.DetectAsync(cancellationToken)), json.ProviderInfo));

        var sandboxes = provider.MapGroup("/sandboxes");
        sandboxes.MapPost("", async (HttpRequest request, ProviderAgents agents, CapabilityDetector capabilities) =>
        {
            var body = await JsonBody.ReadAsync(request, json.ProviderSandboxRequest, allowEmpty: true);
            var (sandbox, agent) = await agents.CreateAsync(body, request.HttpContext.RequestAborted);
            return Results.Json(new ProviderSandbox(sandbox.SandboxId, sandbox.SandboxId, ValidRegistration.Provider, body.Engine ?? agent.Harness, "ready",
                sandbox.CreatedAt, sandbox.Metadata ?? [], await capabilities.DetectAsync(request.HttpContext.RequestAborted)), json.ProviderSandbox);
        });

        sandboxes.MapPost("/{id}/run", async (string id, HttpRequest request, ProviderAgents agents) =>
        {
            var body = await RunRequestAsync(request);
            var (action, events) = agents.Run(id, body.Code!, AgentTurnWire.Seconds(body.Timeout, "timeout"), body.Envs, request.HttpContext.RequestAborted);
            return Results.Json(await CollectAsync(action, events), json.ProviderRunResult);
        });

        sandboxes.MapPost("/{id}/run/stream", async (string id, HttpContext context, ProviderAgents agents) =>
        {
            var body = await RunRequestAsync(context.Request);
            var (action, events) = agents.Run(id, body.Code!, AgentTurnWire.Seconds(body.Timeout, "timeout"), body.Envs, context.RequestAborted);
            ServerSentRunEvents.Start(context.Response);
            await ServerSentRunEvents.WriteEventAsync(context.Response, "started", $$"""{"action":"{{action}}"}""", context.RequestAborted);
            try
            {
                await foreach (var item in events)
                {
                    var wire = AgentEventWire.From(item);
                    await ServerSentRunEvents.WriteEventAsync(context.Response, wire.Type ?? "event", JsonSerializer.Serialize(wire, AgentJsonContext.Default.AgentEventWire), context.RequestAborted);
                }
            }
            catch (ComputeException refused)
            {
                // A turn that started since the check above: the headers are out, so the refusal is an event.
                await ServerSentRunEvents.WriteErrorAsync(context.Response, refused.Code, refused.Message, context.RequestAborted);
            }
        });

        sandboxes.MapFilesAndState();

        sandboxes.MapDelete("/{id}", async (string id, LocalCompute compute, CancellationToken cancellationToken) =>
        {
            await compute.DeleteSandboxAsync(id, cancellationToken);
            return Results.Json(new ProviderDeleteResult(true, id, "terminated"), json.ProviderDeleteResult);
        });

        endpoints.MapPost("/api/local-claude/agents/{id}/input", async (string id, HttpRequest request, ProviderAgents agents) =>
        {
            var body = await JsonBody.ReadAsync(request, json.AgentInputRequest);
            return Results.Json(await agents.InputAsync(id, body, request.HttpContext.RequestAborted), json.AgentInputResult);
        });

        return endpoints;
    }

    private static async Task<ProviderRunRequest> RunRequestAsync(HttpRequest request)
    {
        var body = await JsonBody.ReadAsync(request, ProviderJsonContext.Default.ProviderRunRequest);
        return body.Code is { Length: > 0 } ? body : throw ComputeException.Invalid("code", "the prompt of the agent's turn is required");
    }

    /// <summary>The whole turn as the original relay answered a run: what the agent said, and why it failed if it did.</summary>
    private static async Task<ProviderRunResult> CollectAsync(string action, IAsyncEnumerable<AgentEvent> events)
    {
        var said = new StringBuilder();
        string? thread = null;
        await foreach (var item in events)
        {
            switch (item)
            {
                case AgentEntryEvent { Entry: { Role: "assistant", Kind: "text" } entry }:
                    said.Append(said.Length == 0 ? "" : "\n").Append(entry.Content);
                    break;
                case AgentSessionEvent { CliSessionId: { } id }:
                    thread = id;
                    break;
                case AgentTurnCompleted done:
                    return new ProviderRunResult(done.Outcome == AgentTurnOutcome.Succeeded, action, done.ExitCode, said.ToString(), done.Failure ?? "", thread)
                    {
                        Outcome = AgentEventWire.From(done).Outcome,
                        DurationMs = done.DurationMs,
                        InputTokens = done.InputTokens,
                        OutputTokens = done.OutputTokens,
                    };
            }
        }

        throw new ComputeException(ComputeErrorKind.Fault, "turn_unfinished", "The agent's turn ended without its completion.");
    }
}
