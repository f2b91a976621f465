using Cerver.Gateway.Embedded.Http;
using Cerver.Gateway.Embedded.Sessions.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cerver.Gateway.Embedded.Sessions.Agents;

/// <summary>The agent-session endpoints the <c>cerver</c> CLI and skill use beyond create and input (observed).</summary>
public static class AgentSessionEndpoints
{
    public static IEndpointRouteBuilder MapAgentSessionApi(this IEndpointRouteBuilder endpoints)
    {
        var json = AgentSessionJsonContext.Default;
        foreach (var prefix in new[] { "/v2/sessions", "/gateway/sessions" })
        {
            endpoints.MapGet(prefix + "/{id}/stream", (string id, HttpContext context, SessionStore store, TranscriptFeed feed, TimeProvider time) =>
                ServerSentTranscript.StreamAsync(context, id, store, feed, time));

            endpoints.MapPost(prefix + "/{id}/transcript", async (string id, HttpRequest request, SessionService sessions, SessionStore store) =>
            {
                var body = await JsonBody.ReadAsync(request, json.AppendTranscriptRequest);
                var appended = sessions.AppendEntries(id, body);
                return Results.Json(new AppendTranscriptResponse(id, appended, store.CountTranscript(id)), json.AppendTranscriptResponse);
            });

            endpoints.MapPost(prefix + "/{id}/switch-tool", async (string id, HttpRequest request, SessionService sessions, SessionStore store) =>
            {
                var body = await JsonBody.ReadAsync(request, json.SwitchToolRequest);
                var session = sessions.SwitchTool(id, body);
                return Results.Json(new SessionStateResponse(session.SessionId, session.Status, session.Metadata, store.CountTranscript(id)), json.SessionStateResponse);
            });

            endpoints.MapPost(prefix + "/{id}/change-compute", async (string id, HttpRequest request, SessionService sessions, SessionStore store) =>
            {
                var body = await JsonBody.ReadAsync(request, json.ChangeComputeRequest);
                var session = await sessions.ChangeComputeAsync(id, body.ComputePriority, request.HttpContext.RequestAborted);
                return Results.Json(new SessionStateResponse(session.SessionId, session.Status, session.Metadata, store.CountTranscript(id)) { ComputeId = session.ComputeId },
                    json.SessionStateResponse);
            });

            endpoints.MapPost(prefix + "/{id}/resume", (string id, SessionService sessions, SessionStore store) =>
            {
                var session = sessions.Resume(id);
                return Results.Json(new SessionStateResponse(session.SessionId, session.Status, session.Metadata, store.CountTranscript(id)), json.SessionStateResponse);
            });
        }

        return endpoints;
    }
}
