using System.Text.Json;
using Cerver.Relay.Compute.Contract;
using Microsoft.AspNetCore.Http;

namespace Cerver.Gateway.Embedded.Http;

/// <summary>
/// Writes a run as server-sent events: <c>stdout</c> and <c>stderr</c> chunks as they come,
/// then one <c>exit</c>, or one <c>error</c> when the run could not finish. Each chunk is
/// flushed at once: the time from a process's write to the client's read is the product.
/// </summary>
public static class ServerSentRunEvents
{
    /// <summary>
    /// Streams the events of a run; returns the exit, or null when the stream ended in an error.
    /// Every refusal comes before a stream's first event (its <see cref="RunAcceptedEvent"/>), on
    /// this machine as on a linked relay, so waiting for that event before the response starts
    /// gives a refused run a 4xx with the error as JSON instead of a 200 stream that only
    /// carries an <c>error</c> event. <paramref name="onStarted"/> runs once the stream's headers are out.
    /// </summary>
    public static async Task<RunExitEvent?> StreamAsync(HttpResponse response, IAsyncEnumerable<RunStreamEvent> events, Action? onStarted, CancellationToken cancellationToken)
    {
        await using var enumerator = events.GetAsyncEnumerator(cancellationToken);
        var more = await enumerator.MoveNextAsync();
        Start(response);
        await response.Body.FlushAsync(cancellationToken);
        onStarted?.Invoke();
        try
        {
            while (more)
            {
                switch (enumerator.Current)
                {
                    case RunOutputEvent output:
                        await WriteEventAsync(response, output.Kind == OutputKind.Stdout ? "stdout" : "stderr", output.Text, cancellationToken);
                        break;
                    case RunExitEvent exit:
                        var payload = JsonSerializer.Serialize(new RunExitPayload(exit.ExitCode, exit.DurationMs, exit.TimedOut), ComputeJsonContext.Wire.RunExitPayload);
                        await WriteEventAsync(response, "exit", payload, cancellationToken);
                        return exit;
                }

                more = await enumerator.MoveNextAsync();
            }

            await WriteErrorAsync(response, "stream_ended", "The run ended without an exit status.", cancellationToken);
        }
        catch (ComputeException exception)
        {
            await WriteErrorAsync(response, exception.Code, exception.Message, cancellationToken);
        }

        return null;
    }

    internal static void Start(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
    }

    public static Task WriteErrorAsync(HttpResponse response, string code, string message, CancellationToken cancellationToken) =>
        WriteEventAsync(response, "error", JsonSerializer.Serialize(new ErrorDetail(code, message), ComputeJsonContext.Wire.ErrorDetail), cancellationToken);

    /// <summary>One event; a multi-line payload becomes several <c>data:</c> lines, which a client joins with '\n'.</summary>
    public static async Task WriteEventAsync(HttpResponse response, string name, string data, CancellationToken cancellationToken)
    {
        var frame = new System.Text.StringBuilder(data.Length + 32);
        frame.Append("event: ").Append(name).Append('\n');
        foreach (var line in data.Split('\n'))
        {
            frame.Append("data: ").Append(line.TrimEnd('\r')).Append('\n');
        }

        frame.Append('\n');
        await response.WriteAsync(frame.ToString(), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
