using System.Text.Json;
using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Agents.Wire;
using Cerver.Relay.Compute.Contract;
using Microsoft.AspNetCore.Http;

namespace Cerver.Gateway.Embedded.Http;

/// <summary>
/// Writes a raw agent turn as server-sent events: one <c>agent</c> event per event of the
/// turn, ending with its completion, or one <c>error</c> when the turn broke off. A refusal
/// comes before the turn's first event, so waiting for that event before the response starts
/// gives a refused turn a 4xx with the error as JSON, as a refused run gets.
/// </summary>
public static class ServerSentAgentEvents
{
    public static async Task StreamAsync(HttpResponse response, IAsyncEnumerable<AgentEvent> events, CancellationToken cancellationToken)
    {
        await using var enumerator = events.GetAsyncEnumerator(cancellationToken);
        var more = await enumerator.MoveNextAsync();
        ServerSentRunEvents.Start(response);
        await response.Body.FlushAsync(cancellationToken);
        try
        {
            for (; more; more = await enumerator.MoveNextAsync())
            {
                var wire = JsonSerializer.Serialize(AgentEventWire.From(enumerator.Current), AgentJsonContext.Default.AgentEventWire);
                await ServerSentRunEvents.WriteEventAsync(response, "agent", wire, cancellationToken);
                if (enumerator.Current is AgentTurnCompleted)
                {
                    return;
                }
            }

            await ServerSentRunEvents.WriteErrorAsync(response, "stream_ended", "The agent turn ended without its completion.", cancellationToken);
        }
        catch (ComputeException exception)
        {
            await ServerSentRunEvents.WriteErrorAsync(response, exception.Code, exception.Message, cancellationToken);
        }
    }
}
