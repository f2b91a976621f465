using System.Text.Json.Nodes;
using Cerver.Relay.TestKit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Cerver.Relay.Tests.Reports;

/// <summary>How the stand-in answers the next pushes.</summary>
public enum GatewayMode
{
    Up,

    /// <summary>503, with <see cref="ReportGatewayStandIn.RetryAfterSeconds"/> when set.</summary>
    Unavailable,

    /// <summary>The connection is dropped without an answer.</summary>
    Away,
}

/// <summary>
/// A gateway's three report endpoints on loopback that answer as told and record what came:
/// entries are kept once per id, as the real gateway keeps them, and every delivery attempt is logged.
/// </summary>
public sealed class ReportGatewayStandIn : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly List<(string Session, JsonObject Entry)> _stored = [];
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly List<(string Session, string Method, string Path, string? Key, JsonObject Body)> _attempts = [];
    private readonly SemaphoreSlim _arrived = new(0);
    private LoopbackServer _server = null!;

    public GatewayMode Mode { get; set; } = GatewayMode.Up;

    public int? RetryAfterSeconds { get; set; }

    /// <summary>Answers every push for these sessions with this status (a refusal for good, a refused key).</summary>
    public Dictionary<string, int> RefuseSession { get; } = new(StringComparer.Ordinal);

    /// <summary>The next transcript batch is stored, then its answer is lost (a 503), as when a reply dies on the way back.</summary>
    public bool LoseNextTranscriptAnswer { get; set; }

    /// <summary>A transcript batch holding an entry with this content is refused with 400.</summary>
    public string? PoisonContent { get; set; }

    public Uri BaseUrl => new(_server.BaseUrl);

    public static async Task<ReportGatewayStandIn> StartAsync()
    {
        var standIn = new ReportGatewayStandIn();
        standIn._server = await LoopbackServer.StartAsync(app =>
        {
            app.MapPost("/v2/sessions/{id}/transcript", (string id, HttpContext context) => standIn.AnswerAsync(id, context, "transcript"));
            app.MapPatch("/v2/sessions/{id}", (string id, HttpContext context) => standIn.AnswerAsync(id, context, "metadata"));
            app.MapPost("/v2/sessions/{id}/status", (string id, HttpContext context) => standIn.AnswerAsync(id, context, "status"));
        });
        return standIn;
    }

    /// <summary>The entries kept, in the order they were kept.</summary>
    public IReadOnlyList<(string Session, JsonObject Entry)> Stored
    {
        get
        {
            lock (_lock)
            {
                return [.. _stored];
            }
        }
    }

    public IReadOnlyList<(string Session, string Method, string Path, string? Key, JsonObject Body)> Attempts
    {
        get
        {
            lock (_lock)
            {
                return [.. _attempts];
            }
        }
    }

    /// <summary>Waits, without a clock, until a push has made <paramref name="condition"/> true.</summary>
    public async Task WaitUntilAsync(Func<ReportGatewayStandIn, bool> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        // Only a guard against a test that would otherwise hang: no result depends on it.
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        while (!condition(this))
        {
            await _arrived.WaitAsync(timeout.Token);
        }
    }

    private async Task AnswerAsync(string sessionId, HttpContext context, string what)
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        var key = context.Request.Headers.Authorization.ToString().Replace("Bearer ", "", StringComparison.Ordinal);
        try
        {
            lock (_lock)
            {
                _attempts.Add((sessionId, context.Request.Method, what, key, body));
            }

            if (RefuseSession.TryGetValue(sessionId, out var refusal))
            {
                await Error(context, refusal);
                return;
            }

            switch (Mode)
            {
                case GatewayMode.Away:
                    context.Abort();
                    return;
                case GatewayMode.Unavailable:
                    if (RetryAfterSeconds is { } seconds)
                    {
                        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    }

                    await Error(context, 503);
                    return;
            }

            if (what == "transcript")
            {
                var entries = body["entries"]!.AsArray().Select(entry => entry!.AsObject()).ToList();
                if (PoisonContent is { } poison && entries.Any(entry => entry["content"]?.GetValue<string>() == poison))
                {
                    await Error(context, 400);
                    return;
                }

                lock (_lock)
                {
                    foreach (var entry in entries.Where(entry => _ids.Add(entry["id"]!.GetValue<string>())))
                    {
                        _stored.Add((sessionId, (JsonObject)entry.DeepClone()));
                    }
                }
            }

            if (what == "transcript" && LoseNextTranscriptAnswer)
            {
                LoseNextTranscriptAnswer = false;
                await Error(context, 503);
                return;
            }

            await context.Response.WriteAsJsonAsync(new JsonObject { ["session_id"] = sessionId });
        }
        finally
        {
            _arrived.Release();
        }
    }

    private static Task Error(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new JsonObject { ["error"] = new JsonObject { ["code"] = $"stand_in_{status}", ["message"] = "as the test asked" } });
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _arrived.Dispose();
    }
}
