using System.Net.Http.Headers;
using System.Net.Http.Json;
using Cerver.Gateway.Embedded.Sessions;
using Cerver.Relay.Configuration;
using Cerver.Relay.Daemon;
using Cerver.Relay.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Cerver.Relay.Tests.Gateway;

public sealed class SessionLifetimeTests
{
    [Fact]
    public async Task A_session_idle_past_its_timeout_ends_and_frees_its_sandbox()
    {
        using var home = new TempDirectory("cerver-home");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = RelaySettingsLoader.Load(new Dictionary<string, string?> { ["CERVER_HOME"] = home.Path, ["CERVER_RELAY_PORT"] = "0" });
        await using var app = DaemonHost.Build(settings, new DaemonHostOptions { ConsoleLogging = false, Time = time });
        await app.StartAsync();
        var sessions = app.Services.GetRequiredService<SessionService>();
        using var client = new HttpClient { BaseAddress = app.Services.GetRequiredService<DaemonState>().Url };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(settings.Paths.TokenFile).Trim());

        var created = await RelayDaemon.ReadJsonAsync(await client.PostAsJsonAsync("/gateway/sessions", new { requirements = new { runtime = "shell", timeout_minutes = 2 } }), 200);
        var id = created["session_id"]!.GetValue<string>();
        var sandboxId = created["sandbox_id"]!.GetValue<string>();

        time.Advance(TimeSpan.FromMinutes(1));
        await RelayDaemon.ReadJsonAsync(await client.PostAsJsonAsync($"/gateway/sessions/{id}/run", new { code = "true" }), 200);
        // The sweeper runs on the same fake clock, so either it or the explicit call may end the session.
        time.Advance(TimeSpan.FromMinutes(1.5));
        await sessions.EndIdleSessionsAsync(CancellationToken.None);
        Assert.Equal("idle", sessions.Get(id).Status);

        time.Advance(TimeSpan.FromMinutes(1));
        await sessions.EndIdleSessionsAsync(CancellationToken.None);
        Assert.Equal("terminated", sessions.Get(id).Status);
        using var sandbox = await client.GetAsync($"/sandbox/{sandboxId}");
        Assert.Equal("sandbox_not_found", await RelayDaemon.ReadErrorAsync(sandbox, 404));
        await app.StopAsync();
    }

    [Fact]
    public async Task Sessions_and_transcripts_survive_kill_9()
    {
        using var home = new TempDirectory("cerver-home");
        string id;
        int port;
        using (var relay = await RelayProcess.StartAsync(home.Path))
        {
            port = relay.Port;
            using var client = Client(home.Path, port);
            id = (await RelayDaemon.ReadJsonAsync(await client.PostAsJsonAsync("/gateway/sessions", new { session_name = "durable" }), 200))["session_id"]!.GetValue<string>();
            await RelayDaemon.ReadJsonAsync(await client.PostAsJsonAsync($"/gateway/sessions/{id}/input", new { role = "user", content = "remember this" }), 200);
            await RelayDaemon.ReadJsonAsync(await client.PostAsJsonAsync($"/gateway/sessions/{id}/run", new { code = "echo ran" }), 200);
            relay.Kill();
            await relay.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        using var restarted = await RelayProcess.StartAsync(home.Path, port);
        using var again = Client(home.Path, port);
        var detail = await RelayDaemon.ReadJsonAsync(await again.GetAsync($"/v2/sessions/{id}?full=1"), 200);
        Assert.Equal(3, detail["transcriptTotal"]!.GetValue<int>());
        Assert.Equal(["remember this", "echo ran"], detail["transcript"]!.AsArray().Take(2).Select(e => e!["content"]!.GetValue<string>()));
        var run = await RelayDaemon.ReadJsonAsync(await again.PostAsJsonAsync($"/gateway/sessions/{id}/run", new { code = "echo after restart" }), 200);
        Assert.Equal("after restart\n", run["result"]!["stdout"]!.GetValue<string>());
    }

    private static HttpClient Client(string home, int port)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(Path.Combine(home, "relay", "local.token")).Trim());
        return client;
    }
}
