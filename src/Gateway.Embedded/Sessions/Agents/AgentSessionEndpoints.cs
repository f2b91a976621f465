using Cerver.Gateway.Embedded.Accounts;
using Cerver.Gateway.Embedded.Http;
using Cerver.Gateway.Embedded.Sessions.Wire;
using Cerver.Relay.Compute.Contract;
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

            // The three paths a relay reports a session's agent on (SPEC 11); under /v2 a relay key of the account may call them.
            var reports = new[]
            {
                endpoints.MapPost(prefix + "/{id}/transcript", async (string id, HttpRequest request, Caller caller, AccountStore accounts, SessionService sessions, SessionStore store) =>
                {
                    RequireAccount(caller, accounts, id);
                    var body = await JsonBody.ReadAsync(request, json.AppendTranscriptRequest);
                    var (appended, duplicates) = sessions.AppendEntries(id, body);
                    return Results.Json(new AppendTranscriptResponse(id, appended, duplicates, store.CountTranscript(id)), json.AppendTranscriptResponse);
                }),
                endpoints.MapPatch(prefix + "/{id}", async (string id, HttpRequest request, Caller caller, AccountStore accounts, SessionService sessions, SessionStore store) =>
                {
                    RequireAccount(caller, accounts, id);
                    var session = sessions.MergeMetadata(id, await JsonBody.ReadAsync(request, json.PatchSessionRequest));
                    return Results.Json(new SessionStateResponse(session.SessionId, session.Status, session.Metadata, store.CountTranscript(id)), json.SessionStateResponse);
                }),
                endpoints.MapPost(prefix + "/{id}/status", async (string id, HttpRequest request, Caller caller, AccountStore accounts, SessionService sessions, SessionStore store) =>
                {
                    RequireAccount(caller, accounts, id);
                    var body = await JsonBody.ReadAsync(request, json.SessionStatusRequest);
                    var session = await sessions.ReportStatusAsync(id, body, request.HttpContext.RequestAborted);
                    return Results.Json(new SessionStateResponse(session.SessionId, session.Status, session.Metadata, store.CountTranscript(id)), json.SessionStateResponse);
                }),
            };
            if (prefix == "/v2/sessions")
            {
                foreach (var report in reports)
                {
                    report.AllowRelayKeys();
                }
            }

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

    /// <summary>Every session here is the gateway's account's: a relay key of another account reports on none of them.</summary>
    private static void RequireAccount(Caller caller, AccountStore accounts, string sessionId)
    {
        if (!caller.IsOwner && caller.AccountId != accounts.AccountId)
        {
            throw new ComputeException(ComputeErrorKind.Forbidden, "forbidden_session", $"Session '{sessionId}' belongs to another account.");
        }
    }
}
