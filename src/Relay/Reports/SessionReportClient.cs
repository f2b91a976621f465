using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Sessions.Wire;
using Cerver.Relay.Link;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;

namespace Cerver.Relay.Reports;

public enum PushResult
{
    /// <summary>The gateway has the batch (a resent entry it already held included).</summary>
    Delivered,

    /// <summary>Not now: the gateway was not reached, was overloaded or failed. Try the same batch again later.</summary>
    Retry,

    /// <summary>The key is not (or no longer) accepted: nothing can be pushed with it.</summary>
    KeyRefused,

    /// <summary>This batch is refused for good (its content); the session's other reports may still go.</summary>
    Refused,

    /// <summary>The session is refused for good (unknown, gone, ended, another account's): none of its reports can go.</summary>
    SessionRefused,
}

/// <summary>How a push went, with the gateway's reason when it was not delivered and how long it asked to wait.</summary>
public sealed record PushOutcome(PushResult Result, string? Error = null, TimeSpan? RetryAfter = null);

/// <summary>
/// The three report calls to the gateway (SPEC 11) over the relay's gateway HTTP stack: the key
/// per request, the default proxy (<c>HTTPS_PROXY</c>), quick retries of a blip by the
/// resilience handler. Long outages are the outbox's to ride out, so every answer is sorted
/// into what to do next rather than thrown.
/// </summary>
public sealed class SessionReportClient(HttpClient http)
{
    public async Task<PushOutcome> PushAsync(GatewayRegistration gateway, string sessionId, OutboxBatch batch, CancellationToken cancellationToken)
    {
        var session = "/v2/sessions/" + Uri.EscapeDataString(sessionId);
        var json = AgentSessionJsonContext.Default;
        using var request = batch.Kind switch
        {
            OutboxItemKind.Entry => new HttpRequestMessage(HttpMethod.Post, new Uri(gateway.GatewayUrl, session + "/transcript"))
            {
                Content = JsonContent.Create(new AppendTranscriptRequest { Entries = [.. batch.Items.Select(item => item.Entry)] }, json.AppendTranscriptRequest),
            },
            OutboxItemKind.Metadata => new HttpRequestMessage(HttpMethod.Patch, new Uri(gateway.GatewayUrl, session))
            {
                Content = JsonContent.Create(new PatchSessionRequest { Metadata = WithComputeId(batch.Items[0].Metadata!, gateway) }, json.PatchSessionRequest),
            },
            _ => new HttpRequestMessage(HttpMethod.Post, new Uri(gateway.GatewayUrl, session + "/status"))
            {
                Content = JsonContent.Create(new SessionStatusRequest { Status = batch.Items[0].Status, EndReason = batch.Items[0].EndReason }, json.SessionStatusRequest),
            },
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", gateway.ApiKey);

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException
            || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new PushOutcome(PushResult.Retry, $"cannot reach the gateway at {gateway.GatewayUrl}: {exception.Message}");
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return new PushOutcome(PushResult.Delivered);
            }

            var error = $"{request.Method} {request.RequestUri!.AbsolutePath}: the gateway answered {status}{Reason(await response.Content.ReadAsStringAsync(cancellationToken))}";
            return status switch
            {
                401 => new PushOutcome(PushResult.KeyRefused, error),
                408 or 429 or >= 500 => new PushOutcome(PushResult.Retry, error, RetryAfter(response)),
                403 or 404 or 409 or 410 => new PushOutcome(PushResult.SessionRefused, error),
                _ => new PushOutcome(PushResult.Refused, error),
            };
        }
    }

    /// <summary>The compute id this gateway knows the relay by (its answer to registration wins over the relay's own).</summary>
    private static JsonObject WithComputeId(JsonObject metadata, GatewayRegistration gateway)
    {
        var sent = (JsonObject)metadata.DeepClone();
        sent["compute_id"] = gateway.ComputeId;
        return sent;
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow,
        _ => null,
    };

    /// <summary>The SPEC's <c>{"error": {"code", "message"}}</c>, when the gateway sent it.</summary>
    private static string Reason(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["error"] is JsonObject error ? $" {error["code"]}: {error["message"]}" : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }
}

public static class SessionReportClientServiceCollectionExtensions
{
    /// <summary>
    /// The client as the gateway client is set up: a blip is retried twice with exponential
    /// backoff and jitter within 30 s; whatever outlasts that goes back to the outbox.
    /// </summary>
    public static IServiceCollection AddSessionReportClient(this IServiceCollection services)
    {
        services.AddHttpClient<SessionReportClient>()
            .AddStandardResilienceHandler(options => GatewayClientServiceCollectionExtensions.UseGatewayPolicy(options, retries: 2));
        return services;
    }
}
