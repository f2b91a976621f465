using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Connect.Wire;
using Cerver.Relay.Daemon;

namespace Cerver.Relay.Connect;

/// <summary>
/// Serves a gateway's <c>request</c> frame with this relay's own local API, over loopback HTTP:
/// the same routes, validation and error shapes as any other caller gets (SPEC 7). The channel
/// already authenticated the gateway; it gets the paths a gateway calls and nothing else — not
/// the relay's settings, updates, keys or the embedded gateway.
/// </summary>
public sealed class LocalApiForwarder(DaemonState daemon, LocalApiToken token) : IDisposable
{
    /// <summary>The compute contract (relay to relay) and the hosted gateway's own paths (SPEC 11).</summary>
    private static readonly string[] ServedPrefixes = ["/sandbox", "/api/cerver/provider", "/api/local-claude/"];

    private static readonly HashSet<string> Methods = new(StringComparer.Ordinal) { "GET", "POST", "PUT", "PATCH", "DELETE" };

    // Loopback only: no proxy, no pooled-connection lifetime limit to worry about, no overall timeout (a run may take an hour).
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>
    /// Serves one request and sends its answer with <paramref name="send"/>: one <c>response</c>,
    /// or, when the gateway asked for a stream and the answer is one, <c>response_start</c>, a
    /// <c>response_chunk</c> per server-sent event as it comes, and <c>response_end</c>.
    /// </summary>
    public async Task ServeAsync(ConnectFrame request, Func<ConnectFrame, Task> send, CancellationToken cancellationToken)
    {
        if (Refusal(request) is { } refusal)
        {
            await send(refusal);
            return;
        }

        var own = daemon.Url ?? throw new InvalidOperationException("The local API is not listening yet.");
        using var message = new HttpRequestMessage(new HttpMethod(request.Method!.ToUpperInvariant()), new Uri(own, request.Path));
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        if (request.Body is { } body)
        {
            // Unescaped, as it crossed the channel: escaping would grow a legal body of multi-byte text past the API's cap.
            message.Content = new StringContent(body.ToJsonString(ConnectJsonContext.Wire.Options), Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var contentType = response.Content.Headers.ContentType?.MediaType ?? "application/octet-stream";
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["content-type"] = contentType };
        if (request.Stream == true && response.IsSuccessStatusCode && contentType == "text/event-stream")
        {
            await send(new ConnectFrame { Type = ConnectFrameTypes.ResponseStart, RequestId = request.RequestId, Status = (int)response.StatusCode, Headers = headers });
            try
            {
                await using var events = await response.Content.ReadAsStreamAsync(cancellationToken);
                await foreach (var item in SseParser.Create(events).EnumerateAsync(cancellationToken))
                {
                    await send(new ConnectFrame { Type = ConnectFrameTypes.ResponseChunk, RequestId = request.RequestId, Event = item.EventType, Data = item.Data });
                }
            }
            catch (IOException)
            {
                // The local answer broke off (this daemon is stopping): the end tells the gateway
                // the stream is over, and it sees no exit or completion in it.
            }

            await send(new ConnectFrame { Type = ConnectFrameTypes.ResponseEnd, RequestId = request.RequestId });
            return;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        await send(new ConnectFrame
        {
            Type = ConnectFrameTypes.Response,
            RequestId = request.RequestId,
            Status = (int)response.StatusCode,
            Headers = headers,
            Body = BodyOf(text, contentType),
        });
    }

    /// <summary>The answer to a request this relay does not serve to its gateway, or null.</summary>
    private static ConnectFrame? Refusal(ConnectFrame request)
    {
        if (request.RequestId is null)
        {
            return ConnectFrame.Failure(null, 400, "invalid_request", "request_id: a request needs one.");
        }

        if (request.Method is not { } method || !Methods.Contains(method.ToUpperInvariant()))
        {
            return ConnectFrame.Failure(request.RequestId, 405, "method_not_allowed", $"method: '{request.Method}' is not one of {string.Join(", ", Methods)}.");
        }

        return IsServed(request.Path)
            ? null
            : ConnectFrame.Failure(request.RequestId, 404, "path_not_served", $"path: this relay does not serve '{request.Path}' to its gateway.");
    }

    public void Dispose() => _http.Dispose();

    /// <summary>A rooted path under a served prefix, with nothing a URL parser would rewrite (dot segments, backslashes, doubled slashes).</summary>
    internal static bool IsServed(string? path)
    {
        if (path is null || !path.StartsWith('/') || path.Contains('\\', StringComparison.Ordinal) || path.Contains("//", StringComparison.Ordinal))
        {
            return false;
        }

        var pathOnly = path.Split('?', 2)[0];
        var decoded = Uri.UnescapeDataString(pathOnly);
        if (decoded.Split('/').Any(segment => segment is "." or ".."))
        {
            return false;
        }

        return ServedPrefixes.Any(prefix => prefix.EndsWith('/')
            ? pathOnly.StartsWith(prefix, StringComparison.Ordinal)
            : pathOnly == prefix || pathOnly.StartsWith(prefix + "/", StringComparison.Ordinal));
    }

    /// <summary>A JSON body as it is; anything else as <c>{"text": …}</c> (SPEC 7).</summary>
    private static JsonNode? BodyOf(string text, string contentType)
    {
        if (text.Length == 0)
        {
            return null;
        }

        if (contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                // Said JSON, is not: carried as text below.
            }
        }

        return new JsonObject { ["text"] = text };
    }
}

/// <summary>The local API's token, for the requests this relay makes to itself.</summary>
public sealed record LocalApiToken(string Value);
