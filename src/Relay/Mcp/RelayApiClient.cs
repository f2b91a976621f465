using System.Net;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Cerver.Relay.Mcp;

/// <summary>Where the relay's local API answers and the token it takes, found again for every call.</summary>
public sealed record RelayApiEndpoint(Uri BaseUrl, string? Token);

/// <summary>
/// The MCP tools' only way into the relay: its own local API over loopback HTTP, the same
/// whether the tools run in the daemon (Streamable HTTP) or in <c>cerver-relay mcp</c> (stdio), so
/// the daemon stays the one writer of <c>relay.db</c> and the one that runs code. Every failure
/// becomes a <see cref="McpToolException"/> with one sentence: the relay's own error with its
/// code, or <paramref name="notRunning"/> when nothing answers.
/// </summary>
public sealed class RelayApiClient(HttpClient http, Func<RelayApiEndpoint> locate, string notRunning)
{
    /// <summary>How long a call other than a run or a followed turn may take.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    public Task<T> GetAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, null, type, RequestTimeout, cancellationToken);

    public Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, TimeSpan limit, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, new StringContent(JsonSerializer.Serialize(body, requestType), Encoding.UTF8, "application/json"), responseType, limit, cancellationToken);

    /// <summary>The events of a server-sent stream (event type and data), until the relay ends it or the caller stops reading.</summary>
    public async IAsyncEnumerable<SseItem<string>> StreamAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, path, null);
        using var response = await SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await ThrowIfRefusedAsync(response, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var item in SseParser.Create(body).EnumerateAsync(cancellationToken))
        {
            yield return item;
        }
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> type, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        using var request = Request(method, path, content);
        try
        {
            using var response = await SendRawAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            await ThrowIfRefusedAsync(response, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            try
            {
                return JsonSerializer.Deserialize(text, type) ?? throw new McpToolException("The relay answered with an empty body.");
            }
            catch (JsonException)
            {
                throw new McpToolException($"The relay answered {method} {request.RequestUri?.AbsolutePath} with something that is not the expected JSON; is it the same version as this command?");
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new McpToolException($"The relay did not answer within {limit.TotalSeconds:0} s; see 'cerver-relay logs'.");
        }
    }

    private HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content)
    {
        var endpoint = locate();
        var request = new HttpRequestMessage(method, new Uri(endpoint.BaseUrl, path)) { Content = content };
        if (endpoint.Token is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException)
        {
            throw new McpToolException(notRunning);
        }
    }

    private static async Task ThrowIfRefusedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonNode? error = null;
        try
        {
            error = JsonNode.Parse(text)?["error"];
        }
        catch (JsonException)
        {
            // Not the relay's error shape: the status alone is reported.
        }

        var code = error?["code"] is JsonValue codeValue && codeValue.TryGetValue<string>(out var c) ? c : $"http_{(int)response.StatusCode}";
        var message = error?["message"] is JsonValue messageValue && messageValue.TryGetValue<string>(out var m) ? m.TrimEnd('.', ' ')
            : response.StatusCode == HttpStatusCode.Unauthorized ? "The relay refused the local token (relay/local.token); was the relay's home reset"
            : $"The relay answered {(int)response.StatusCode}";
        throw new McpToolException($"{message} (relay error {code}).");
    }
}
