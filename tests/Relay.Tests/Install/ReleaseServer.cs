using System.Collections.Concurrent;
using Cerver.Relay.TestKit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Cerver.Relay.Tests.Install;

/// <summary>
/// GitHub's release downloads on a loopback port: <c>/releases/download/&lt;tag&gt;/&lt;asset&gt;</c> serves a
/// file, and <c>/releases/latest/download/&lt;asset&gt;</c> redirects to the latest tag's, as GitHub does.
/// Each release is a folder <c>root/&lt;tag&gt;/</c>.
/// </summary>
public sealed class ReleaseServer : IAsyncDisposable
{
    private readonly string _root;
    private readonly ConcurrentQueue<string> _requests = new();
    private LoopbackServer? _server;

    private ReleaseServer(string root) => _root = root;

    /// <summary>The tag <c>/latest/</c> points at; none means GitHub's 404 for a repository without releases.</summary>
    public string? LatestTag { get; set; }

    public string ReleasesUrl => $"{_server!.BaseUrl}/releases";

    public IReadOnlyCollection<string> Requests => _requests;

    public static async Task<ReleaseServer> StartAsync(string root)
    {
        var server = new ReleaseServer(root);
        server._server = await LoopbackServer.StartAsync(app =>
        {
            app.Use(async (context, next) =>
            {
                server._requests.Enqueue(context.Request.Path.Value ?? "");
                await next(context);
            });
            app.MapGet("/releases/latest/download/{asset}", (string asset) =>
                server.LatestTag is null ? Results.NotFound() : Results.Redirect($"/releases/download/{server.LatestTag}/{asset}"));
            app.MapGet("/releases/download/{tag}/{asset}", (string tag, string asset) =>
            {
                var file = Path.Combine(root, tag, asset);
                return tag.Contains("..", StringComparison.Ordinal) || asset.Contains("..", StringComparison.Ordinal) || !File.Exists(file)
                    ? Results.NotFound()
                    : Results.File(file, "application/octet-stream");
            });
        });
        return server;
    }

    /// <summary>Publishes a release under <paramref name="tag"/> with the given files (name → source path).</summary>
    public string AddRelease(string tag, IReadOnlyDictionary<string, string> files)
    {
        var folder = Path.Combine(_root, tag);
        Directory.CreateDirectory(folder);
        foreach (var (name, source) in files)
        {
            File.Copy(source, Path.Combine(folder, name), overwrite: true);
        }

        return folder;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
