using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Cerver.Gateway.Embedded.Accounts.Wire;
using Cerver.Gateway.Embedded.Fleet.Wire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Cerver.Relay.Link;

/// <summary>
/// The relay's calls to its gateway (SPEC 7) over one typed <see cref="HttpClient"/> with
/// retries, timeouts and a circuit breaker. The primary handler keeps the default proxy,
/// which on Linux and macOS is read from <c>HTTPS_PROXY</c>, <c>HTTP_PROXY</c>,
/// <c>ALL_PROXY</c> and <c>NO_PROXY</c>. The key travels per request, never in a log.
/// </summary>
public sealed class GatewayClient(HttpClient http)
{
    public Uri BaseAddress => http.BaseAddress!;

    public Task<DeviceStartResponse> StartDeviceAsync(string machineName, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "/v2/auth/device", null, JsonContent.Create(new DeviceStartRequest { MachineName = machineName }, AccountJsonContext.Default.DeviceStartRequest),
            AccountJsonContext.Default.DeviceStartResponse, cancellationToken);

    /// <summary>One poll. Pending, refused and approved answers all come back as a body with a status; only a broken exchange throws.</summary>
    public async Task<DevicePollResponse> PollDeviceAsync(string deviceCode, CancellationToken cancellationToken)
    {
        using var response = await ExchangeAsync(HttpMethod.Get, $"/v2/auth/device?device_code={Uri.EscapeDataString(deviceCode)}", null, null, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if ((int)response.StatusCode is 200 or 202 or 400 && TryParse(text, AccountJsonContext.Default.DevicePollResponse) is { Status.Length: > 0 } poll)
        {
            return poll;
        }

        throw Refusal(response, text);
    }

    public Task<WhoAmIResponse> WhoAmIAsync(string apiKey, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "/v2/auth/whoami", apiKey, null, AccountJsonContext.Default.WhoAmIResponse, cancellationToken);

    public Task<ComputeInfo> RegisterAsync(string apiKey, RegisterComputeRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "/v2/computes/register", apiKey, JsonContent.Create(request, FleetJsonContext.Default.RegisterComputeRequest),
            FleetJsonContext.Default.ComputeInfo, cancellationToken);

    public Task<HeartbeatResponse> HeartbeatAsync(string apiKey, string computeId, HeartbeatRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"/v2/computes/{Uri.EscapeDataString(computeId)}/heartbeat", apiKey,
            JsonContent.Create(request, FleetJsonContext.Default.HeartbeatRequest), FleetJsonContext.Default.HeartbeatResponse, cancellationToken);

    public Task<UnregisterResponse> UnregisterAsync(string apiKey, string computeId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, $"/v2/computes/{Uri.EscapeDataString(computeId)}", apiKey, null, FleetJsonContext.Default.UnregisterResponse, cancellationToken);

    /// <summary>Revokes the key itself (SPEC 7, <c>logout</c>); a gateway without the endpoint answers 404 or 405.</summary>
    public Task<IssuedKey> RevokeKeyAsync(string apiKey, string keyId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, $"/v2/auth/keys/{Uri.EscapeDataString(keyId)}", apiKey, null, AccountJsonContext.Default.IssuedKey, cancellationToken);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, string? apiKey, HttpContent? content, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using var response = await ExchangeAsync(method, path, apiKey, content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.IsSuccessStatusCode && TryParse(text, typeInfo) is { } value)
        {
            return value;
        }

        throw Refusal(response, text);
    }

    private async Task<HttpResponseMessage> ExchangeAsync(HttpMethod method, string path, string? apiKey, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        if (apiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException
            || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new GatewayException($"cannot reach the gateway at {http.BaseAddress}: {exception.Message}", inner: exception);
        }
    }

    private GatewayException Refusal(HttpResponseMessage response, string text)
    {
        var status = (int)response.StatusCode;
        var (code, message) = ErrorOf(text);
        return new GatewayException(
            $"the gateway at {http.BaseAddress} answered {status}{(message is null ? (response.IsSuccessStatusCode ? " with a body this relay does not understand" : "") : $": {message}")}",
            status, code);
    }

    /// <summary>The SPEC's <c>{"error": {"code", "message"}}</c>, or RFC 8628's <c>{"error": "code", "error_description"}</c>.</summary>
    private static (string? Code, string? Message) ErrorOf(string text)
    {
        try
        {
            return JsonNode.Parse(text)?["error"] switch
            {
                JsonObject error => (error["code"]?.ToString(), error["message"]?.ToString()),
                JsonValue error => (error.ToString(), JsonNode.Parse(text)?["error_description"]?.ToString() ?? error.ToString()),
                _ => (null, null),
            };
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static T? TryParse<T>(string text, JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return JsonSerializer.Deserialize(text, typeInfo);
        }
        catch (JsonException)
        {
            return default;
        }
    }
}

public static class GatewayClientServiceCollectionExtensions
{
    /// <summary>
    /// The typed gateway client: up to three retries with exponential backoff and jitter on
    /// transient failures, 10 s per attempt, 30 s in all, and a circuit breaker.
    /// </summary>
    public static IServiceCollection AddGatewayClient(this IServiceCollection services, Uri gateway)
    {
        services.AddHttpClient<GatewayClient>(http => http.BaseAddress = gateway)
            .AddStandardResilienceHandler(options => UseGatewayPolicy(options, retries: 3));
        return services;
    }

    /// <summary>How every call to the gateway is retried: exponential backoff with jitter from 500 ms, 10 s per attempt, 30 s in all.</summary>
    public static void UseGatewayPolicy(HttpStandardResilienceOptions options, int retries)
    {
        options.Retry.MaxRetryAttempts = retries;
        options.Retry.Delay = TimeSpan.FromMilliseconds(500);
        options.Retry.BackoffType = DelayBackoffType.Exponential;
        options.Retry.UseJitter = true;
        options.AttemptTimeout.Timeout = TimeSpan.FromSeconds(10);
        options.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(30);
    }
}
