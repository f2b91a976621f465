using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded;
using Cerver.Relay.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Cerver.Relay.Tests.Fleet;

/// <summary>A real daemon in this process acting as a gateway, on a clock the tests move.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public RelayDaemon Gateway { get; private set; } = null!;

    // Every test here logs a relay in; the login rate limit has tests of its own (DeviceAuthorizationLimitTests).
    public async ValueTask InitializeAsync() => Gateway = await RelayDaemon.StartAsync("none", time: Time,
        services: services => services.Configure<GatewayOptions>(options => options.DeviceStartBurst = 1000));

    public ValueTask DisposeAsync() => Gateway.DisposeAsync();

    public async Task<JsonObject> StartLoginAsync(string machine = "mini")
    {
        using var anonymous = Gateway.CreateClient(null);
        return await RelayDaemon.ReadJsonAsync(await anonymous.PostAsync("/v2/auth/device", RelayDaemon.Json($$"""{"machine_name": "{{machine}}"}""")), 200);
    }

    public async Task<HttpResponseMessage> PollAsync(string deviceCode)
    {
        using var anonymous = Gateway.CreateClient(null);
        return await anonymous.GetAsync($"/v2/auth/device?device_code={Uri.EscapeDataString(deviceCode)}");
    }

    public Task<HttpResponseMessage> DecideAsync(string verb, string userCode) =>
        Gateway.Client.PostAsync($"/relay/devices/{verb}", RelayDaemon.Json($$"""{"user_code": "{{userCode}}"}"""));

    /// <summary>The whole device flow: a fresh relay key and its id.</summary>
    public async Task<(string Key, string KeyId)> IssueKeyAsync(string machine = "mini")
    {
        var start = await StartLoginAsync(machine);
        await RelayDaemon.ReadJsonAsync(await DecideAsync("approve", start["user_code"]!.GetValue<string>()), 200);
        var approved = await RelayDaemon.ReadJsonAsync(await PollAsync(start["device_code"]!.GetValue<string>()), 200);
        return (approved["access_token"]!.GetValue<string>(), approved["key_id"]!.GetValue<string>());
    }

    /// <summary>A registration body as the original relay sends it (SPEC 7), for the machine <paramref name="machineId"/>.</summary>
    public static JsonObject Registration(string machineId, string? computeId = null, string relayVersion = "0.1.0")
    {
        var body = new JsonObject
        {
            ["label"] = "studio",
            ["kind"] = "local",
            ["provider"] = "cerver_local_provider",
            ["capabilities"] = new JsonObject
            {
                ["runtimes"] = new JsonObject { ["node"] = "22.1.0", ["shell"] = "sh" },
                ["streaming"] = true,
                ["cli_tools"] = new JsonArray("claude"),
                ["local_models"] = new JsonObject(),
                ["isolation"] = "bubblewrap",
                ["cpus"] = 8,
                ["memory_mb"] = 16384,
                ["max_sandboxes"] = 64,
            },
            ["metadata"] = new JsonObject
            {
                ["machine_id"] = machineId,
                ["machine_name"] = "studio",
                ["relay_version"] = relayVersion,
                ["os"] = "linux",
                ["arch"] = "x64",
            },
            ["connection"] = new JsonObject { ["transport"] = "cerver_connect", ["connect_id"] = computeId },
        };
        if (computeId is not null)
        {
            body["compute_id"] = computeId;
        }

        return body;
    }

    public static async Task<JsonObject> RegisterAsync(HttpClient client, string machineId) =>
        await RelayDaemon.ReadJsonAsync(await client.PostAsync("/v2/computes/register", RelayDaemon.Json(Registration(machineId).ToJsonString())), 200);

    public static Task<HttpResponseMessage> HeartbeatAsync(HttpClient client, string computeId, string status = "online", int active = 0) =>
        client.PostAsync($"/v2/computes/{computeId}/heartbeat", RelayDaemon.Json($$$"""{"status": "{{{status}}}", "metadata": {"active_sandboxes": {{{active}}}, "relay_version": "0.1.0"}}"""));
}
