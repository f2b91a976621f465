using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cerver.Relay.Configuration;
using Cerver.Relay.Daemon;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Cerver.Relay.Tests.Infrastructure;

/// <summary>
/// The real daemon, in this process: real Kestrel on a random loopback port, a temporary
/// CERVER_HOME with its real SQLite file, real sandboxes and processes.
/// </summary>
public sealed class RelayDaemon : IAsyncDisposable
{
    private int _disposed;
    private readonly TempDirectory _home;
    private readonly DaemonHostOptions _options;
    private bool _handedOver;

    private RelayDaemon(TempDirectory home, WebApplication app, RelaySettings settings, DaemonHostOptions options)
    {
        _home = home;
        _options = options;
        App = app;
        Settings = settings;
        BaseUrl = app.Services.GetRequiredService<DaemonState>().Url!;
        Token = File.ReadAllText(settings.Paths.TokenFile).Trim();
        Client = CreateClient(Token);
    }

    public WebApplication App { get; }

    public RelaySettings Settings { get; }

    public Uri BaseUrl { get; }

    public string Token { get; }

    /// <summary>A client that sends the local token.</summary>
    public HttpClient Client { get; }

    public string Home => _home.Path;

    public static async Task<RelayDaemon> StartAsync(
        string isolation = "auto",
        string? apiKey = null,
        Action<RelaySettings>? check = null,
        TimeProvider? time = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        Action<IServiceCollection>? services = null,
        int port = 0)
    {
        var home = new TempDirectory("cerver-home");
        var variables = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>())
        {
            ["CERVER_HOME"] = home.Path,
            ["CERVER_RELAY_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CERVER_ISOLATION"] = isolation,
            ["CERVER_API_KEY"] = apiKey,
        };
        var settings = RelaySettingsLoader.Load(variables);
        check?.Invoke(settings);
        var options = new DaemonHostOptions { ConsoleLogging = false, Time = time, ConfigureServices = services };
        var app = DaemonHost.Build(settings, options);
        await app.StartAsync();
        return new RelayDaemon(home, app, settings, options);
    }

    /// <summary>
    /// Stops this daemon and starts it again on the same home and port, as a service manager
    /// would after a crash or an update; this instance is finished, the returned one takes over.
    /// </summary>
    public async Task<RelayDaemon> RestartAsync(Func<Task>? whileStopped = null)
    {
        _handedOver = true;
        await DisposeAsync();
        if (whileStopped is not null)
        {
            await whileStopped();
        }

        var settings = Settings with { Port = BaseUrl.Port };
        var app = DaemonHost.Build(settings, _options);
        await app.StartAsync();
        return new RelayDaemon(_home, app, settings, _options);
    }

    public HttpClient CreateClient(string? token)
    {
        var client = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(120) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public async Task<string> CreateSandboxAsync(object? body = null)
    {
        using var response = await Client.PostAsJsonAsync("/sandbox", body ?? new { });
        var json = await ReadJsonAsync(response, 201);
        return json["sandbox_id"]!.GetValue<string>();
    }

    public async Task<JsonObject> RunAsync(string sandboxId, object body)
    {
        using var response = await Client.PostAsJsonAsync($"/sandbox/{sandboxId}/run", body);
        return await ReadJsonAsync(response, 200);
    }

    /// <summary>Everything this daemon has logged so far (its own file sink, not the test process's).</summary>
    public string ReadLog() => LogFiles.ReadAll(Settings.Paths.LogsDirectory);

    public string WorkspaceOf(string sandboxId) => Path.Combine(Settings.Paths.SandboxesDirectory, sandboxId);

    public static async Task<JsonObject> ReadJsonAsync(HttpResponseMessage response, int expectedStatus)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expectedStatus, $"expected {expectedStatus}, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Asserts the SPEC's error shape and returns its code.</summary>
    public static async Task<string> ReadErrorAsync(HttpResponseMessage response, int expectedStatus)
    {
        var json = await ReadJsonAsync(response, expectedStatus);
        var error = json["error"]!.AsObject();
        Assert.False(string.IsNullOrWhiteSpace(error["message"]!.GetValue<string>()));
        return error["code"]!.GetValue<string>();
    }

    public static StringContent Json(string raw) => new(raw, System.Text.Encoding.UTF8, "application/json");

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        if (!_handedOver)
        {
            _home.Dispose();
        }
    }
}

/// <summary>One daemon shared by a test class (the default isolation: bubblewrap where it works).</summary>
public sealed class SharedDaemon : IAsyncLifetime
{
    public RelayDaemon Daemon { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Daemon = await RelayDaemon.StartAsync("auto", apiKey: SharedDaemonKeys.AccountKey);

    public ValueTask DisposeAsync() => Daemon.DisposeAsync();
}

public static class SharedDaemonKeys
{
    public const string AccountKey = "ck_test_account_key_never_in_a_sandbox_0123456789";
}
