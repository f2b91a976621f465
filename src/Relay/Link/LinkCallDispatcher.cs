using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Cerver.Gateway.Embedded.Link;
using Cerver.Gateway.Embedded.Link.Wire;
using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Agents.Wire;
using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Compute.Files;
using Microsoft.Extensions.Logging;

namespace Cerver.Relay.Link;

/// <summary>
/// Runs one call frame from the gateway against this machine's compute and answers with
/// chunk, result or error frames. A refused call is an error frame with the same code the
/// local API would have answered; nothing a gateway sends can throw out of here, and every
/// call the gateway still waits for gets its answer.
/// </summary>
public sealed partial class LinkCallDispatcher(ICompute compute, ILogger<LinkCallDispatcher> logger)
{
    private static readonly ComputeJsonContext Json = ComputeJsonContext.Default;

    public delegate Task SendFrame(LinkFrame frame, CancellationToken cancellationToken);

    public async Task RunAsync(LinkFrame call, SendFrame send, CancellationToken cancellationToken)
    {
        LinkFrame answer;
        try
        {
            answer = new LinkFrame { Type = LinkFrameTypes.Result, Id = call.Id, Body = await ExecuteAsync(call, send, cancellationToken) };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled by the gateway or by the link dropping: nobody waits for an answer.
            return;
        }
        catch (ComputeException exception)
        {
            answer = LinkFrame.Failure(call.Id, LinkErrors.From(exception));
        }
        catch (JsonException exception)
        {
            var field = exception.Path is null or "$" ? "args" : "args" + exception.Path.TrimStart('$');
            answer = LinkFrame.Failure(call.Id, LinkErrors.From(ComputeException.Invalid(field, "wrong JSON type")));
        }
        catch (WebSocketException)
        {
            // Sending a chunk failed: the link is gone, and no answer could reach the gateway.
            throw;
        }
        catch (Exception exception)
        {
            // A bug, not a refusal: the gateway still gets its answer, and the stack stays in this log.
            LogInternalError(exception, call.Op ?? "(none)", call.Id ?? "(none)");
            answer = LinkFrame.Failure(call.Id, LinkErrors.From(LinkErrors.InternalError()));
        }

        await send(answer, cancellationToken);
    }

    private async Task<JsonNode?> ExecuteAsync(LinkFrame call, SendFrame send, CancellationToken cancellationToken) => call.Op switch
    {
        LinkOps.CreateSandbox => Body(await compute.CreateSandboxAsync(Args(call, Json.CreateSandboxRequest), cancellationToken), Json.SandboxRecord),
        LinkOps.GetSandbox => Body(await compute.GetSandboxAsync(Sandbox(call), cancellationToken), Json.SandboxRecord),
        LinkOps.ListSandboxes => Body(new SandboxList(await compute.ListSandboxesAsync(cancellationToken)), Json.SandboxList),
        LinkOps.RunSandbox => Body(await compute.RunSandboxAsync(Sandbox(call), Args(call, Json.RunRequest), cancellationToken), Json.RunResult),
        LinkOps.RunSandboxStream => await StreamAsync(call, send, cancellationToken),
        LinkOps.InstallPackage => Body(await compute.InstallPackageAsync(Sandbox(call), Args(call, Json.InstallPackageRequest), cancellationToken), Json.RunResult),
        LinkOps.WriteFile => Body(await compute.WriteFileAsync(Sandbox(call), Args(call, Json.WriteFileRequest), cancellationToken), Json.WriteFileResult),
        LinkOps.ReadFile => Body(await compute.ReadFileAsync(Sandbox(call), Text(call, "path") ?? "",
            WorkspaceFiles.ParseEncoding(Text(call, "encoding"), "args.encoding"), cancellationToken), Json.ReadFileResult),
        LinkOps.GetState => Body(await compute.GetStateAsync(Sandbox(call), cancellationToken), Json.SandboxState),
        LinkOps.SetState => Body(await compute.SetStateAsync(Sandbox(call), State(call), cancellationToken), Json.SandboxState),
        LinkOps.DeleteSandbox => Body(await compute.DeleteSandboxAsync(Sandbox(call), cancellationToken), Json.DeleteSandboxResult),
        LinkOps.RunAgentTurn => await AgentTurnAsync(call, send, cancellationToken),
        null => throw ComputeException.Invalid("op", "is required"),
        _ => throw new ComputeException(ComputeErrorKind.InvalidInput, "unknown_op", $"op: '{call.Op}' is not a call of the compute contract."),
    };

    private async Task<JsonNode?> StreamAsync(LinkFrame call, SendFrame send, CancellationToken cancellationToken)
    {
        await foreach (var item in compute.RunSandboxStreamAsync(Sandbox(call), Args(call, Json.RunRequest), cancellationToken))
        {
            switch (item)
            {
                case RunAcceptedEvent:
                    await send(new LinkFrame { Type = LinkFrameTypes.Accepted, Id = call.Id }, cancellationToken);
                    break;
                case RunOutputEvent output:
                    await send(new LinkFrame
                    {
                        Type = LinkFrameTypes.Chunk,
                        Id = call.Id,
                        Stream = output.Kind == OutputKind.Stderr ? "stderr" : "stdout",
                        Data = output.Text,
                    }, cancellationToken);
                    break;
                case RunExitEvent exit:
                    return Body(new RunExitPayload(exit.ExitCode, exit.DurationMs, exit.TimedOut), Json.RunExitPayload);
            }
        }

        throw new ComputeException(ComputeErrorKind.Fault, "stream_ended", "The run's stream ended without an exit.");
    }

    private async Task<JsonNode?> AgentTurnAsync(LinkFrame call, SendFrame send, CancellationToken cancellationToken)
    {
        var turn = Args(call, AgentJsonContext.Default.AgentTurnWire).ToTurn();
        await foreach (var item in compute.RunAgentTurnAsync(Sandbox(call), turn, cancellationToken))
        {
            var wire = AgentEventWire.From(item);
            if (item is AgentTurnCompleted)
            {
                return Body(wire, AgentJsonContext.Default.AgentEventWire);
            }

            await send(new LinkFrame
            {
                Type = LinkFrameTypes.Chunk,
                Id = call.Id,
                Stream = "agent",
                Data = JsonSerializer.Serialize(wire, AgentJsonContext.Default.AgentEventWire),
            }, cancellationToken);
        }

        throw new ComputeException(ComputeErrorKind.Fault, "stream_ended", "The agent turn ended without its completion.");
    }

    private static T Args<T>(LinkFrame call, JsonTypeInfo<T> typeInfo)
        where T : new() =>
        call.Args is null ? new T() : call.Args.Deserialize(typeInfo) ?? new T();

    private static string Sandbox(LinkFrame call) =>
        string.IsNullOrEmpty(call.SandboxId) ? throw ComputeException.Invalid("sandbox_id", "is required for " + call.Op) : call.SandboxId;

    private static string? Text(LinkFrame call, string name) =>
        call.Args?[name] is { } node
            ? node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : throw ComputeException.Invalid("args." + name, "must be a string")
            : null;

    private static JsonObject State(LinkFrame call) =>
        call.Args?["state"] as JsonObject ?? throw ComputeException.Invalid("args.state", "must be a JSON object");

    private static JsonNode? Body<T>(T value, JsonTypeInfo<T> typeInfo) => JsonSerializer.SerializeToNode(value, typeInfo);

    [LoggerMessage(LogLevel.Error, "The gateway's {Op} call {CallId} failed with an internal error; answered internal_error")]
    private partial void LogInternalError(Exception exception, string op, string callId);
}
