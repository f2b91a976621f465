using System.Globalization;
using System.Text.Json.Nodes;
using Cerver.Relay.TestKit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Cerver.Relay.Tests.Infrastructure;

/// <summary>A release as the fake serves it: its tag, whether it is a pre-release, and its assets' bytes.</summary>
public sealed record FakeRelease(string Tag, bool PreRelease, IReadOnlyDictionary<string, byte[]> Assets)
{
    /// <summary>Assets announced with their full length but cut off half-way, as a dropped connection leaves them.</summary>
    public IReadOnlySet<string> Truncated { get; init; } = new HashSet<string>();

    /// <summary>The cut waits for this, so the client has the headers before the connection drops (otherwise it is a failed request, not a cut download).</summary>
    public Task CutWhen { get; init; } = Task.CompletedTask;
}

/// <summary>
/// GitHub's release API, as Octokit asks it (the one service this machine cannot reach): Kestrel on
/// 127.0.0.1:0 answering <c>/repos/{o}/{r}/releases/latest</c>, <c>/releases</c> and
/// <c>/releases/tags/{tag}</c> in GitHub's JSON shape, and serving the assets at their
/// <c>browser_download_url</c>.
/// </summary>
public sealed class FakeGitHub : IAsyncDisposable
{
    public const string Repository = "cerver-test/relay";

    private readonly List<FakeRelease> _releases = [];
    private readonly Lock _lock = new();
    private LoopbackServer? _server;

    private FakeGitHub()
    {
    }

    public Uri ApiUrl => new($"{_server!.BaseUrl}/");

    /// <summary>When set, every API call answers GitHub's 403 for a used-up rate limit.</summary>
    public bool RateLimited { get; set; }

    public static async Task<FakeGitHub> StartAsync()
    {
        var fake = new FakeGitHub();
        fake._server = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/repos/{owner}/{name}/releases/latest", (HttpContext context) =>
                fake.Answer(context, releases => releases.LastOrDefault(release => !release.PreRelease) is { } latest ? fake.Json(latest) : null));
            app.MapGet("/repos/{owner}/{name}/releases", (HttpContext context) =>
                fake.Answer(context, releases => new JsonArray([.. releases.AsEnumerable().Reverse().Select(fake.Json)])));
            app.MapGet("/repos/{owner}/{name}/releases/tags/{tag}", (HttpContext context, string tag) =>
                fake.Answer(context, releases => releases.FirstOrDefault(release => release.Tag == tag) is { } found ? fake.Json(found) : null));
            app.MapGet("/download/{tag}/{asset}", async (HttpContext context, string tag, string asset) =>
            {
                FakeRelease? release;
                lock (fake._lock)
                {
                    release = fake._releases.FirstOrDefault(candidate => candidate.Tag == tag);
                }

                if (release is null || !release.Assets.TryGetValue(asset, out var bytes))
                {
                    context.Response.StatusCode = 404;
                    return;
                }

                context.Response.ContentType = "application/octet-stream";
                context.Response.ContentLength = bytes.Length;
                if (release.Truncated.Contains(asset))
                {
                    await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
                    await context.Response.Body.FlushAsync();
                    await release.CutWhen.WaitAsync(TimeSpan.FromSeconds(30));
                    context.Abort();
                    return;
                }

                await context.Response.Body.WriteAsync(bytes);
            });
        });
        return fake;
    }

    /// <summary>Publishes a release; the newest published non-pre-release is "latest", as on GitHub.</summary>
    public void Publish(FakeRelease release)
    {
        lock (_lock)
        {
            _releases.Add(release);
        }
    }

    private IResult Answer(HttpContext context, Func<List<FakeRelease>, JsonNode?> answer)
    {
        if (RateLimited)
        {
            context.Response.Headers["X-RateLimit-Limit"] = "60";
            context.Response.Headers["X-RateLimit-Remaining"] = "0";
            context.Response.Headers["X-RateLimit-Reset"] = new DateTimeOffset(2030, 1, 1, 13, 45, 0, TimeSpan.Zero).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            return Results.Json(new Dictionary<string, string> { ["message"] = "API rate limit exceeded for 127.0.0.1.", ["documentation_url"] = "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting" }, statusCode: 403);
        }

        JsonNode? body;
        lock (_lock)
        {
            body = answer(_releases);
        }

        return body is null
            ? Results.Json(new Dictionary<string, string> { ["message"] = "Not Found" }, statusCode: 404)
            : Results.Text(body.ToJsonString(), "application/json");
    }

    private JsonObject Json(FakeRelease release)
    {
        var id = _releases.IndexOf(release) + 1;
        return new JsonObject
        {
            ["url"] = $"{ApiUrl}repos/{Repository}/releases/{id}",
            ["html_url"] = $"https://github.com/{Repository}/releases/tag/{release.Tag}",
            ["id"] = id,
            ["node_id"] = $"RE_{id}",
            ["tag_name"] = release.Tag,
            ["target_commitish"] = "main",
            ["name"] = release.Tag,
            ["body"] = "",
            ["draft"] = false,
            ["prerelease"] = release.PreRelease,
            ["created_at"] = "2025-01-01T00:00:00Z",
            ["published_at"] = "2025-01-01T00:00:00Z",
            ["assets"] = new JsonArray([.. release.Assets.Select((asset, index) => (JsonNode)new JsonObject
            {
                ["url"] = $"{ApiUrl}repos/{Repository}/releases/assets/{id * 100 + index}",
                ["id"] = id * 100 + index,
                ["node_id"] = $"RA_{id}_{index}",
                ["name"] = asset.Key,
                ["label"] = "",
                ["state"] = "uploaded",
                ["content_type"] = "application/octet-stream",
                ["size"] = asset.Value.Length,
                ["download_count"] = 0,
                ["created_at"] = "2025-01-01T00:00:00Z",
                ["updated_at"] = "2025-01-01T00:00:00Z",
                ["browser_download_url"] = $"{ApiUrl}download/{release.Tag}/{asset.Key}",
            })]),
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
