using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Fleet;
using Cerver.Gateway.Embedded.Routing;
using Cerver.Gateway.Embedded.Routing.Wire;
using Cerver.Gateway.Embedded.Sessions;
using Cerver.Gateway.Embedded.Sessions.Wire;
using Cerver.Gateway.Embedded.StressTests;
using Cerver.Gateway.Embedded.StressTests.Wire;
using Cerver.Relay.Compute.Contract;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cerver.Gateway.Embedded.Http;

/// <summary>The seed's session API, unchanged, under <c>/gateway</c> and the observed <c>/v2</c> forms.</summary>
public static class GatewayEndpoints
{
    private const int DefaultTranscriptTail = 50;

    public static IEndpointRouteBuilder MapGatewayApi(this IEndpointRouteBuilder endpoints)
    {
        var json = GatewayJsonContext.Default;

        endpoints.MapGet("/gateway/providers", (ComputeRegistry registry) =>
            Results.Json(new ProviderListResponse([.. registry.Snapshot().Profiles.Select(ProviderInfoOf)]), json.ProviderListResponse));

        endpoints.MapPost("/gateway/recommend", async (HttpRequest request, SessionService sessions) =>
        {
            var body = await JsonBody.ReadAsync(request, RoutingJsonContext.Default.RecommendRequestBody, allowEmpty: true);
            return Results.Json(sessions.Recommend(body), RoutingJsonContext.Default.RecommendationReport);
        });

        endpoints.MapPost("/gateway/stress-tests", async (HttpRequest request, StressTestService stressTests, CancellationToken cancellationToken) =>
        {
            var body = await JsonBody.ReadAsync(request, StressTestRequestJsonContext.Default.StressTestRequestBody);
            return Results.Json(await stressTests.RunAsync(body, cancellationToken), StressTestResultJsonContext.Wire.StressTestResult);
        });

        endpoints.MapGet("/gateway/stress-tests", (StressTestService stressTests) =>
            Results.Json(new StressTestList(stressTests.Recent()), StressTestResultJsonContext.Wire.StressTestList));

        foreach (var prefix in new[] { "/gateway/sessions", "/v2/sessions" })
        {
            endpoints.MapPost(prefix, CreateSessionAsync);
            endpoints.MapDelete(prefix + "/{id}", async (string id, SessionService sessions, CancellationToken cancellationToken) =>
            {
                var ended = await sessions.TerminateAsync(id, "deleted by the client", cancellationToken);
                return Results.Json(new TerminateResponse(ended.SessionId, ended.Status), json.TerminateResponse);
            });
            endpoints.MapPost(prefix + "/{id}/input", async (string id, HttpRequest request, SessionService sessions, SessionStore store) =>
            {
                var body = await JsonBody.ReadAsync(request, json.InputRequest);
                var (entry, session) = sessions.AppendInput(id, body.Role, body.Content);
                return Results.Json(new InputResponse(session.SessionId, session.Status, EntryBody(entry), store.CountTranscript(id)), json.InputResponse);
            });
        }

        endpoints.MapGet("/gateway/sessions/{id}", (string id, SessionService sessions, SessionStore store) =>
        {
            var session = sessions.Get(id);
            var transcript = store.ReadTranscript(id);
            return Results.Json(new SessionDetailResponse(
                session.SessionId, session.SessionName, session.Status, session.Provider, session.ComputeId, session.SandboxId,
                session.Task, session.Workload, session.Metadata, session.CreatedAt, session.UpdatedAt, session.Routing,
                [.. transcript.Select(EntryBody)], transcript.Count,
                [.. store.ReadEvents(id).Select(e => new SessionEventBody(e.Seq, e.Type, e.At, e.DurationMs, e.Data))],
                sessions.MetricsOf(session)), json.SessionDetailResponse);
        });

        endpoints.MapGet("/gateway/sessions/{id}/metrics", (string id, SessionService sessions) =>
        {
            var session = sessions.Get(id);
            var routing = new MetricsRouting(session.Routing["recommended_provider"]?.GetValue<string>(), session.Routing["confidence"]?.GetValue<string>());
            return Results.Json(new SessionMetricsResponse(session.SessionId, session.Provider, session.Status, routing, sessions.MetricsOf(session)), json.SessionMetricsResponse);
        });

        endpoints.MapPost("/gateway/sessions/{id}/run", async (string id, HttpRequest request, SessionService sessions) =>
        {
            var body = await JsonBody.ReadAsync(request, ComputeJsonContext.Default.RunRequest);
            var (session, result, duration) = await sessions.RunAsync(id, body, request.HttpContext.RequestAborted);
            return Results.Json(new SessionRunResponse(session.SessionId, session.Provider, session.ComputeId, session.SandboxId, session.Status,
                result, duration, sessions.MetricsOf(session)), json.SessionRunResponse);
        });

        endpoints.MapPost("/gateway/sessions/{id}/run/stream", async (string id, HttpContext context, SessionService sessions, TimeProvider time) =>
        {
            var started = time.GetTimestamp();
            var body = await JsonBody.ReadAsync(context.Request, ComputeJsonContext.Default.RunRequest);
            var (session, events) = await sessions.OpenStreamAsync(id, body, started, context.RequestAborted);
            var latency = (long)time.GetElapsedTime(started).TotalMilliseconds;
            context.Response.Headers["X-Cerver-Session-Id"] = session.SessionId;
            context.Response.Headers["X-Cerver-Provider"] = session.Provider;
            context.Response.Headers["X-Cerver-Stream-Latency-Ms"] = latency.ToString(CultureInfo.InvariantCulture);
            await ServerSentRunEvents.StreamAsync(context.Response, events, () => sessions.StreamOpened(session, latency), context.RequestAborted);
        });

        endpoints.MapGet("/v2/sessions", (HttpRequest request, SessionService sessions, SessionStore store) =>
        {
            var limit = IntQuery(request, "limit", 1, 200) ?? 20;
            var status = request.Query["status"].ToString() switch
            {
                "" => null,
                "ended" => SessionStatus.Terminated,
                var named when SessionStatus.All.Contains(named) => named,
                var other => throw ComputeException.Invalid("status", $"'{other}' is not a session status; use one of {string.Join(", ", SessionStatus.All)}"),
            };
            var list = sessions.List(limit, status).Select(s => new V2SessionSummary(
                s.SessionId, s.SessionName, s.Status, s.ComputeId, s.CreatedAt, s.UpdatedAt, s.Workload, s.Metadata, store.CountTranscript(s.SessionId)));
            return Results.Json(new V2SessionList([.. list]), V2JsonContext.Default.V2SessionList);
        });

        endpoints.MapGet("/v2/sessions/{id}", (string id, HttpRequest request, SessionService sessions, SessionStore store) =>
        {
            var session = sessions.Get(id);
            var since = IntQuery(request, "since", 0, int.MaxValue);
            var tail = IntQuery(request, "tail", 1, 10_000);
            var full = request.Query["full"].ToString() is "1" or "true";
            if (since is not null && tail is not null)
            {
                throw ComputeException.Invalid("since", "use either since or tail, not both");
            }

            var transcript = since is not null ? store.ReadTranscript(id, since.Value)
                : full ? store.ReadTranscript(id)
                : store.ReadTranscript(id, 0, tail ?? DefaultTranscriptTail);
            var metrics = (JsonSerializer.SerializeToNode(sessions.MetricsOf(session), GatewayJsonContext.Default.SessionMetrics) as JsonObject)!;
            // A poller asks next for ?since=transcriptTotal: with since, the total is the last entry
            // it was given, so an entry stored between the read and a count is never skipped.
            var total = since is not null
                ? transcript.Count > 0 ? (int)transcript[^1].Seq : Math.Min(since.Value, store.CountTranscript(id))
                : store.CountTranscript(id);
            return Results.Json(new V2SessionDetail(session.SessionId, session.Status, session.ComputeId, session.Metadata,
                [.. transcript.Select(V2TranscriptEntry.From)],
                metrics, total), V2JsonContext.Default.V2SessionDetail);
        });

        return endpoints;
    }

    private static async Task<IResult> CreateSessionAsync(HttpRequest request, SessionService sessions)
    {
        var body = await JsonBody.ReadAsync(request, RoutingJsonContext.Default.RecommendRequestBody, allowEmpty: true);
        try
        {
            var session = await sessions.CreateAsync(body, request.HttpContext.RequestAborted);
            return Results.Json(new SessionResponse(session.SessionId, session.SessionName, session.Status, session.Provider, session.ComputeId,
                session.SandboxId, sessions.MetricsOf(session), session.Routing), GatewayJsonContext.Default.SessionResponse, statusCode: StatusCodes.Status200OK);
        }
        catch (NoExecutableProviderException exception)
        {
            // The seed answers 409 with the recommendation report; the error object keeps the SPEC's shape too.
            var report = (JsonSerializer.SerializeToNode(exception.Report, RoutingJsonContext.Default.RecommendationReport) as JsonObject)!;
            report["error"] = new JsonObject { ["code"] = "no_executable_provider", ["message"] = exception.Message };
            return Results.Json(report, GatewayJsonContext.Default.JsonObject, statusCode: StatusCodes.Status409Conflict);
        }
    }

    private static TranscriptEntryBody EntryBody(TranscriptEntry entry) => new(entry.Seq, entry.Role, entry.Kind, entry.Content, entry.At, entry.ToolName);

    private static ProviderInfo ProviderInfoOf(ProviderProfile profile) => new(
        profile.Name, profile.DisplayName, profile.Executable, profile.Status.ToString().ToLowerInvariant(), profile.ComputeId, profile.Runtimes,
        profile.PublicPreview, profile.Browser, profile.Desktop, profile.StartupMs, profile.ExecMs, profile.UptimePercent, profile.Cost.PerMinuteUsd,
        profile.MaxTimeoutMinutes);

    private static int? IntQuery(HttpRequest request, string name, int min, int max)
    {
        var raw = request.Query[name].ToString();
        if (raw.Length == 0)
        {
            return null;
        }

        return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw ComputeException.Invalid(name, $"must be a whole number from {min} to {max}, not '{raw}'");
    }
}
