using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Fleet;
using Cerver.Gateway.Embedded.Link.Wire;
using Cerver.Gateway.Embedded.Routing;
using Microsoft.Extensions.Logging;

namespace Cerver.Gateway.Embedded.Link;

/// <summary>
/// The relays linked to this gateway right now. A relay becomes an executable compute of the
/// registry when its hello arrives and stops being one the moment its link ends, so the
/// router never sends a session to a relay that cannot answer.
/// </summary>
public sealed partial class LinkedRelays(ComputeRegistry registry, TimeProvider time, ILoggerFactory loggers)
{
    private static readonly TimeSpan HelloWithin = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, RelayLink> _links = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<LinkedRelays>();

    public RelayLink? Find(string computeId) => _links.GetValueOrDefault(computeId);

    /// <summary>Serves one relay's link from its hello until it ends; a newer link of the same relay replaces this one.</summary>
    public async Task ServeAsync(WebSocket socket, string computeId, string label, CancellationToken stopping)
    {
        using var channel = new LinkChannel(socket);
        var hello = await ReceiveHelloAsync(channel, computeId, stopping);
        if (hello is null)
        {
            return;
        }

        using var link = new RelayLink(channel, computeId, time, loggers.CreateLogger<RelayLink>());
        var registered = new RegisteredCompute(new LinkedCompute(link), Describe(computeId, label, hello), Isolation(hello), time.GetUtcNow());
        if (_links.TryGetValue(computeId, out var previous))
        {
            LogReplaced(computeId);
            previous.Abort();
        }

        _links[computeId] = link;
        registry.Register(registered);
        LogLinked(computeId, hello.RelayVersion ?? "unknown");

        // Out of routing the moment the link ends, before its open calls are failed: a client
        // told "relay_disconnected" must not have its next session routed to the same relay.
        await using var unroute = link.Closed.Register(() => registry.Unregister(registered));
        try
        {
            await link.RunAsync(stopping);
        }
        finally
        {
            _links.TryRemove(new KeyValuePair<string, RelayLink>(computeId, link));
            registry.Unregister(registered);
            LogUnlinked(computeId);
        }
    }

    private async Task<LinkFrame?> ReceiveHelloAsync(LinkChannel channel, string computeId, CancellationToken stopping)
    {
        using var deadline = new CancellationTokenSource(HelloWithin, time);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(stopping, deadline.Token);
        string problem;
        try
        {
            var received = await channel.ReceiveAsync(both.Token);
            problem = received switch
            {
                { IsClosed: true } => "closed before its hello",
                { Frame: null } => received.Problem!,
                { Frame.Type: not LinkFrameTypes.Hello } => $"the first frame must be hello, not {received.Frame.Type ?? "(none)"}",
                { Frame.ComputeId: var said } when said != computeId => $"hello names compute {said ?? "(none)"}, the link is for {computeId}",
                _ => "",
            };
            if (problem.Length == 0)
            {
                return received.Frame;
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or LinkProtocolException)
        {
            problem = deadline.IsCancellationRequested ? $"no hello within {HelloWithin.TotalSeconds:0} s" : exception.Message;
        }

        LogRefused(computeId, problem);
        await channel.CloseAsync(WebSocketCloseStatus.PolicyViolation, problem.Length > 120 ? problem[..120] : problem);
        return null;
    }

    private static ExecutableCompute Describe(string computeId, string label, LinkFrame hello)
    {
        var runtimes = hello.Capabilities?["runtimes"] as JsonObject;
        return new ExecutableCompute(computeId, label, ComputeKind.LinkedRelay, ComputeLanguages.From(runtimes?.Select(entry => entry.Key) ?? []), ComputeStatus.Online);
    }

    private static string Isolation(LinkFrame hello) =>
        hello.Capabilities?["isolation"] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : "unknown";

    [LoggerMessage(LogLevel.Information, "Relay {ComputeId} linked (relay {Version})")]
    private partial void LogLinked(string computeId, string version);

    [LoggerMessage(LogLevel.Information, "Relay {ComputeId} unlinked")]
    private partial void LogUnlinked(string computeId);

    [LoggerMessage(LogLevel.Information, "Relay {ComputeId} linked again; its previous link is closed")]
    private partial void LogReplaced(string computeId);

    [LoggerMessage(LogLevel.Warning, "Refused a link for {ComputeId}: {Problem}")]
    private partial void LogRefused(string computeId, string problem);
}
