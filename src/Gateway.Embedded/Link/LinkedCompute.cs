using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Cerver.Gateway.Embedded.Link.Wire;
using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Agents.Wire;
using Cerver.Relay.Compute.Contract;

namespace Cerver.Gateway.Embedded.Link;

/// <summary>
/// A linked relay seen through the compute contract: each call becomes a call frame on its
/// link, so sessions and stress tests run on it exactly as on this machine.
/// </summary>
public sealed class LinkedCompute(RelayLink link) : ICompute
{
    private static readonly ComputeJsonContext Json = ComputeJsonContext.Default;

    public string ComputeId => link.ComputeId;

    public RelayLink Link => link;

    public async Task<SandboxRecord> CreateSandboxAsync(CreateSandboxRequest request, CancellationToken cancellationToken) =>
        AsSeenHere(await CallAsync(LinkOps.CreateSandbox, null, Args(request, Json.CreateSandboxRequest), LinkCallDeadline.Quick, Json.SandboxRecord, cancellationToken));

    public async Task<SandboxRecord> GetSandboxAsync(string sandboxId, CancellationToken cancellationToken) =>
        AsSeenHere(await CallAsync(LinkOps.GetSandbox, sandboxId, null, LinkCallDeadline.Quick, Json.SandboxRecord, cancellationToken));

    public async Task<IReadOnlyList<SandboxRecord>> ListSandboxesAsync(CancellationToken cancellationToken) =>
        [.. (await CallAsync(LinkOps.ListSandboxes, null, null, LinkCallDeadline.Quick, Json.SandboxList, cancellationToken)).Sandboxes.Select(AsSeenHere)];

    public Task<RunResult> RunSandboxAsync(string sandboxId, RunRequest request, CancellationToken cancellationToken) =>
        CallAsync(LinkOps.RunSandbox, sandboxId, Args(request, Json.RunRequest), LinkCallDeadline.ForRun(request), Json.RunResult, cancellationToken);

    /// <summary>
    /// The relay's <c>accepted</c> frame is the stream's <see cref="RunAcceptedEvent"/>: a refusal
    /// arrives as the call's error before it, so it is thrown by the first <c>MoveNextAsync</c>
    /// exactly as on this machine.
    /// </summary>
    public async IAsyncEnumerable<RunStreamEvent> RunSandboxStreamAsync(string sandboxId, RunRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var frame in link.ExchangeAsync(LinkOps.RunSandboxStream, sandboxId, Args(request, Json.RunRequest), LinkCallDeadline.ForRun(request), cancellationToken))
        {
            if (frame.Type == LinkFrameTypes.Accepted)
            {
                yield return new RunAcceptedEvent();
                continue;
            }

            if (frame.Type == LinkFrameTypes.Chunk)
            {
                yield return new RunOutputEvent(frame.Stream == "stderr" ? OutputKind.Stderr : OutputKind.Stdout, frame.Data ?? "");
                continue;
            }

            var exit = Read(frame.Body, Json.RunExitPayload);
            yield return new RunExitEvent(exit.ExitCode, exit.DurationMs, exit.TimedOut);
            yield break;
        }

        throw LinkErrors.Disconnected(ComputeId);
    }

    public Task<RunResult> InstallPackageAsync(string sandboxId, InstallPackageRequest request, CancellationToken cancellationToken) =>
        CallAsync(LinkOps.InstallPackage, sandboxId, Args(request, Json.InstallPackageRequest), LinkCallDeadline.ForInstall(), Json.RunResult, cancellationToken);

    public Task<WriteFileResult> WriteFileAsync(string sandboxId, WriteFileRequest request, CancellationToken cancellationToken) =>
        CallAsync(LinkOps.WriteFile, sandboxId, Args(request, Json.WriteFileRequest), LinkCallDeadline.Quick, Json.WriteFileResult, cancellationToken);

    public Task<ReadFileResult> ReadFileAsync(string sandboxId, string path, FileEncoding encoding, CancellationToken cancellationToken) =>
        CallAsync(LinkOps.ReadFile, sandboxId, new JsonObject { ["path"] = path, ["encoding"] = encoding == FileEncoding.Base64 ? "base64" : "utf8" },
            LinkCallDeadline.Quick, Json.ReadFileResult, cancellationToken);

    public Task<SandboxState> GetStateAsync(string sandboxId, CancellationToken cancellationToken) =>
        CallAsync(LinkOps.GetState, sandboxId, null, LinkCallDeadline.Quick, Json.SandboxState, cancellationToken);

    public Task<SandboxState> SetStateAsync(string sandboxId, JsonObject state, CancellationToken cancellationToken) =>
        CallAsync(LinkOps.SetState, sandboxId, new JsonObject { ["state"] = state.DeepClone() }, LinkCallDeadline.Quick, Json.SandboxState, cancellationToken);

    public Task<DeleteSandboxResult> DeleteSandboxAsync(string sandboxId, CancellationToken cancellationToken) =>
        CallAsync(LinkOps.DeleteSandbox, sandboxId, null, LinkCallDeadline.Quick, Json.DeleteSandboxResult, cancellationToken);

    /// <summary>
    /// A turn on the linked relay: its events arrive as <c>agent</c> chunks, its completion as
    /// the call's result. A link that drops mid-turn ends the turn here, saying so, as a local
    /// turn ends when its relay stops.
    /// </summary>
    public async IAsyncEnumerable<AgentEvent> RunAgentTurnAsync(string sandboxId, AgentTurn turn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var args = JsonSerializer.SerializeToNode(AgentTurnWire.From(turn), AgentJsonContext.Default.AgentTurnWire) as JsonObject ?? [];
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await using var frames = link.ExchangeAsync(LinkOps.RunAgentTurn, sandboxId, args, LinkCallDeadline.ForTurn(turn), cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            AgentEvent item;
            try
            {
                if (!await frames.MoveNextAsync())
                {
                    break;
                }

                var frame = frames.Current;
                item = frame.Type == LinkFrameTypes.Chunk
                    ? (JsonSerializer.Deserialize(frame.Data ?? "{}", AgentJsonContext.Default.AgentEventWire) ?? new AgentEventWire()).ToEvent()
                    : Read(frame.Body, AgentJsonContext.Default.AgentEventWire).ToEvent();
            }
            catch (ComputeException exception) when (exception.Code == LinkErrors.RelayDisconnected)
            {
                break;
            }
            catch (JsonException exception)
            {
                throw new ComputeException(ComputeErrorKind.Fault, "link_bad_result", $"The relay {ComputeId} sent an agent event that is not one: {exception.Message}", exception);
            }

            yield return item;
            if (item is AgentTurnCompleted)
            {
                yield break;
            }
        }

        yield return new AgentEntryEvent(AgentEntry.Text($"The link to relay {ComputeId} dropped during the turn; what it did until then is above. Send the prompt again once the relay is back."));
        yield return new AgentTurnCompleted(137, (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, 0, 0, []) { Outcome = AgentTurnOutcome.Cancelled };
    }

    // The relay names itself by its own machine's compute id and "local"; through this
    // gateway it is the compute the gateway registered, routed by that id.
    private SandboxRecord AsSeenHere(SandboxRecord record) => record with { ComputeId = ComputeId, Provider = ComputeId };

    private async Task<T> CallAsync<T>(string op, string? sandboxId, JsonObject? args, LinkCallDeadline deadline, JsonTypeInfo<T> result, CancellationToken cancellationToken) =>
        Read(await link.CallAsync(op, sandboxId, args, deadline, cancellationToken), result);

    private static JsonObject Args<T>(T request, JsonTypeInfo<T> typeInfo) =>
        JsonSerializer.SerializeToNode(request, typeInfo) as JsonObject ?? [];

    private T Read<T>(JsonNode? body, JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return body.Deserialize(typeInfo)
                ?? throw new ComputeException(ComputeErrorKind.Fault, "link_bad_result", $"The relay {ComputeId} answered a call with an empty result.");
        }
        catch (JsonException exception)
        {
            throw new ComputeException(ComputeErrorKind.Fault, "link_bad_result",
                $"The relay {ComputeId} answered a call with a result that is not a {typeof(T).Name}: {exception.Message}", exception);
        }
    }
}
