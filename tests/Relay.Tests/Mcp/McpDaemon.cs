using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Mcp;

/// <summary>
/// The real relay binary running as a daemon for the MCP tests, with one session that already
/// has a user input and a run in its transcript, and an app secret in the daemon's environment.
/// </summary>
public sealed class McpDaemon : IAsyncLifetime
{
    public const string SecretName = "MCP_TEST_DAEMON_SECRET";

    public const string SecretValue = "s3cr3t-of-the-daemon-5b1c0e";

    public const string InputText = "hello from the MCP test";

    public const string RunMarker = "ran-before-mcp";

    private readonly TempDirectory _home = new("cerver-mcp");
    private RelayProcess _relay = null!;

    public string Home => _home.Path;

    public Uri BaseUrl { get; private set; } = null!;

    public string Token { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public string SessionId { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _relay = await RelayProcess.StartAsync(Home, environment: new Dictionary<string, string> { [SecretName] = SecretValue });
        BaseUrl = new Uri($"http://127.0.0.1:{_relay.Port}");
        Token = File.ReadAllText(Path.Combine(Home, "relay", "local.token")).Trim();
        Client = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromMinutes(2) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        SessionId = await CreateSessionAsync("mcp fixture");
        using (var input = await Client.PostAsJsonAsync($"/v2/sessions/{SessionId}/input", new { role = "user", content = InputText }))
        {
            await RelayDaemon.ReadJsonAsync(input, 200);
        }

        using var run = await Client.PostAsJsonAsync($"/gateway/sessions/{SessionId}/run", new { code = $"echo {RunMarker}", timeout = 60 });
        await RelayDaemon.ReadJsonAsync(run, 200);
    }

    public async Task<string> CreateSessionAsync(string name)
    {
        using var response = await Client.PostAsJsonAsync("/v2/sessions", new JsonObject { ["session_name"] = name });
        return (await RelayDaemon.ReadJsonAsync(response, 200))["session_id"]!.GetValue<string>();
    }

    public string ReadLog() => LogFiles.ReadAll(Path.Combine(Home, "relay", "logs"));

    public ValueTask DisposeAsync()
    {
        Client?.Dispose();
        _relay?.Dispose();
        _home.Dispose();
        return ValueTask.CompletedTask;
    }
}
