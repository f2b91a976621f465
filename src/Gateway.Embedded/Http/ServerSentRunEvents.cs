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
    public static void Start(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
    }

    /// <summary>Streams the events; returns the exit, or null when the stream ended in an error.</summary>
    public static async Task<RunExitEvent?> WriteAsync(HttpResponse response, IAsyncEnumerable<RunStreamEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in events.WithCancellation(cancellationToken))
            {
                switch (item)
                {
                    case RunOutputEvent output:
                        await WriteEventAsync(response, output.Kind == OutputKind.Stdout ? "stdout" : "stderr", output.Text, cancellationToken);
                        break;
                    case RunExitEvent exit:
                        var payload = JsonSerializer.Serialize(new RunExitPayload(exit.ExitCode, exit.DurationMs, exit.TimedOut), ComputeJsonContext.Wire.RunExitPayload);
                        await WriteEventAsync(response, "exit", payload, cancellationToken);
                        return exit;
                }
            }

            await WriteErrorAsync(response, "stream_ended", "The run ended without an exit status.", cancellationToken);
        }
        catch (ComputeException exception)
        {
            await WriteErrorAsync(response, exception.Code, exception.Message, cancellationToken);
        }

        return null;
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
