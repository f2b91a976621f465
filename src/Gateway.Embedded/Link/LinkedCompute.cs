using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Cerver.Gateway.Embedded.Connect;
using Cerver.Gateway.Embedded.Connect.Wire;
using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Agents.Wire;
using Cerver.Relay.Compute.Contract;

namespace Cerver.Gateway.Embedded.Link;

/// <summary>
/// A linked relay seen through the compute contract: each call is a <c>request</c> on its
/// connect channel to the relay's own <c>/sandbox</c> API, so sessions and stress tests run on
/// it exactly as on this machine, and a refusal there is the same refusal here (its kind comes
/// back from the status, its code and message as they are).
/// </summary>
public sealed class LinkedCompute(ConnectedRelay relay) : ICompute
{
    private static readonly ComputeJsonContext Json = ComputeJsonContext.Wire;

    public string ComputeId => relay.ComputeId;

    public ConnectedRelay Relay => relay;

    public async Task<SandboxRecord> CreateSandboxAsync(CreateSandboxRequest request, CancellationToken cancellationToken) =>
        AsSeenHere(await CallAsync("POST", "/sandbox", Body(request, Json.CreateSandboxRequest), LinkCallDeadline.Quick, Json.SandboxRecord, cancellationToken));

    public async Task<SandboxRecord> GetSandboxAsync(string sandboxId, CancellationToken cancellationToken) =>
        AsSeenHere(await CallAsync("GET", Sandbox(sandboxId), null, LinkCallDeadline.Quick, Json.SandboxRecord, cancellationToken));

    public async Task<IReadOnlyList<SandboxRecord>> ListSandboxesAsync(CancellationToken cancellationToken) =>
        [.. (await CallAsync("GET", "/sandbox", null, LinkCallDeadline.Quick, Json.SandboxList, cancellationToken)).Sandboxes.Select(AsSeenHere)];

    public Task<RunResult> RunSandboxAsync(string sandboxId, RunRequest request, CancellationToken cancellationToken) =>
        CallAsync("POST", Sandbox(sandboxId, "/run"), Body(request, Json.RunRequest), LinkCallDeadline.ForRun(request), Json.RunResult, cancellationToken);

    /// <summary>
    /// The relay refuses a run before its stream starts (with an error answer), so the refusal
    /// is thrown by the first <c>MoveNextAsync</c> exactly as on this machine; the stream's
    /// start is the run's <see cref="RunAcceptedEvent"/>.
    /// </summary>
    public async IAsyncEnumerable<RunStreamEvent> RunSandboxStreamAsync(string sandboxId, RunRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in StreamAsync(Sandbox(sandboxId, "/run/stream"), Body(request, Json.RunRequest), LinkCallDeadline.ForRun(request), cancellationToken))
        {
            switch (item.Event)
            {
                case null:
                    yield return new RunAcceptedEvent();
                    break;
                case "stdout" or "stderr":
                    yield return new RunOutputEvent(item.Event == "stderr" ? OutputKind.Stderr : OutputKind.Stdout, item.Data);
                    break;
                case "exit":
                    var exit = Parse(item.Data, Json.RunExitPayload);
                    yield return new RunExitEvent(exit.ExitCode, exit.DurationMs, exit.TimedOut);
                    yield break;
                case "error":
                    throw StreamError(item.Data);
            }
        }

        throw LinkErrors.Disconnected(ComputeId);
    }

    public Task<RunResult> InstallPackageAsync(string sandboxId, InstallPackageRequest request, CancellationToken cancellationToken) =>
        CallAsync("POST", Sandbox(sandboxId, "/packages"), Body(request, Json.InstallPackageRequest), LinkCallDeadline.ForInstall(), Json.RunResult, cancellationToken);

    public Task<WriteFileResult> WriteFileAsync(string sandboxId, WriteFileRequest request, CancellationToken cancellationToken) =>
        CallAsync("PUT", Sandbox(sandboxId, "/files"), Body(request, Json.WriteFileRequest), LinkCallDeadline.Quick, Json.WriteFileResult, cancellationToken);

    public Task<ReadFileResult> ReadFileAsync(string sandboxId, string path, FileEncoding encoding, CancellationToken cancellationToken) =>
        CallAsync("GET", Sandbox(sandboxId, $"/files?path={Uri.EscapeDataString(path)}&encoding={(encoding == FileEncoding.Base64 ? "base64" : "utf8")}"),
            null, LinkCallDeadline.Quick, Json.ReadFileResult, cancellationToken);

    public Task<SandboxState> GetStateAsync(string sandboxId, CancellationToken cancellationToken) =>
        CallAsync("GET", Sandbox(sandboxId, "/state"), null, LinkCallDeadline.Quick, Json.SandboxState, cancellationToken);

    public Task<SandboxState> SetStateAsync(string sandboxId, JsonObject state, CancellationToken cancellationToken) =>
        CallAsync("PUT", Sandbox(sandboxId, "/state"), new JsonObject { ["state"] = state.DeepClone() }, LinkCallDeadline.Quick, Json.SandboxState, cancellationToken);

    public Task<DeleteSandboxResult> DeleteSandboxAsync(string sandboxId, CancellationToken cancellationToken) =>
        CallAsync("DELETE", Sandbox(sandboxId), null, LinkCallDeadline.Quick, Json.DeleteSandboxResult, cancellationToken);

    /// <summary>
    /// A turn on the linked relay, its events as they happen there. A link that drops mid-turn
    /// ends the turn here, saying so, as a local turn ends when its relay stops.
    /// </summary>
    public async IAsyncEnumerable<AgentEvent> RunAgentTurnAsync(string sandboxId, AgentTurn turn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToNode(AgentTurnWire.From(turn), AgentJsonContext.Default.AgentTurnWire);
        var started = Stopwatch.GetTimestamp();
        await using var items = StreamAsync(Sandbox(sandboxId, "/agent/turn"), body, LinkCallDeadline.ForTurn(turn), cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            AgentEvent? next;
            try
            {
                if (!await items.MoveNextAsync())
                {
                    break;
                }

                next = items.Current.Event switch
                {
                    "agent" => Parse(items.Current.Data, AgentJsonContext.Default.AgentEventWire).ToEvent(),
                    "error" => throw StreamError(items.Current.Data),
                    _ => null,
                };
            }
            catch (ComputeException exception) when (exception.Code == LinkErrors.RelayDisconnected)
            {
                break;
            }

            if (next is null)
            {
                continue;
            }

            yield return next;
            if (next is AgentTurnCompleted)
            {
                yield break;
            }
        }

        yield return new AgentEntryEvent(AgentEntry.Text($"The link to relay {ComputeId} dropped during the turn; what it did until then is above. Send the prompt again once the relay is back."));
        yield return new AgentTurnCompleted(137, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, 0, 0, []) { Outcome = AgentTurnOutcome.Cancelled };
    }

    // The relay names itself by its own machine's compute id and "local"; through this
    // gateway it is the compute the gateway registered, routed by that id.
    private SandboxRecord AsSeenHere(SandboxRecord record) => record with { ComputeId = ComputeId, Provider = ComputeId };

    private static string Sandbox(string sandboxId, string rest = "") => "/sandbox/" + Uri.EscapeDataString(sandboxId) + rest;

    private async Task<T> CallAsync<T>(string method, string path, JsonNode? body, LinkCallDeadline deadline, JsonTypeInfo<T> result, CancellationToken cancellationToken)
    {
        var answer = await relay.SendRequestAsync(method, path, body, deadline.Value, cancellationToken);
        return answer.Status is >= 200 and < 300
            ? Read(answer.Body, result)
            : throw LinkErrors.FromAnswer(answer.Status, answer.Body, ComputeId);
    }

    /// <summary>
    /// A streamed answer as its events: first one without a name for the stream's start, then
    /// each server-sent event. An answer that is not a stream is the relay's refusal, thrown.
    /// </summary>
    private async IAsyncEnumerable<(string? Event, string Data)> StreamAsync(string path, JsonNode? body, LinkCallDeadline deadline, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var frame in relay.ExchangeAsync("POST", path, body, stream: true, deadline.Value, cancellationToken))
        {
            switch (frame.Type)
            {
                case ConnectFrameTypes.Response:
                    throw frame.Status is >= 200 and < 300
                        ? new ComputeException(ComputeErrorKind.Fault, "link_bad_result", $"The relay {ComputeId} answered a stream with a plain response.")
                        : LinkErrors.FromAnswer(frame.Status ?? 500, frame.Body, ComputeId);
                case ConnectFrameTypes.ResponseStart:
                    yield return (null, "");
                    break;
                case ConnectFrameTypes.ResponseChunk:
                    yield return (frame.Event is JsonValue name && name.TryGetValue<string>(out var text) ? text : "message", frame.Data ?? "");
                    break;
            }
        }
    }

    private ComputeException StreamError(string data)
    {
        var detail = Parse(data, Json.ErrorDetail);
        return detail.Code == LinkErrors.RelayDisconnected ? LinkErrors.Disconnected(ComputeId) : new ComputeException(ComputeErrorKind.Fault, detail.Code, detail.Message);
    }

    private static JsonNode? Body<T>(T request, JsonTypeInfo<T> typeInfo) => JsonSerializer.SerializeToNode(request, typeInfo);

    private T Parse<T>(string json, JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return Read(JsonNode.Parse(json), typeInfo);
        }
        catch (JsonException exception)
        {
            throw BadResult<T>(exception);
        }
    }

    private T Read<T>(JsonNode? body, JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return body.Deserialize(typeInfo)
                ?? throw new ComputeException(ComputeErrorKind.Fault, "link_bad_result", $"The relay {ComputeId} answered a call with an empty result.");
        }
        catch (JsonException exception)
        {
            throw BadResult<T>(exception);
        }
    }

    private ComputeException BadResult<T>(JsonException exception) =>
        new(ComputeErrorKind.Fault, "link_bad_result", $"The relay {ComputeId} answered a call with a result that is not a {typeof(T).Name}: {exception.Message}", exception);
}
