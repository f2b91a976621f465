using System.Net;
using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Gateway;

/// <summary>
/// Issue 12, item 7: a running daemon picks up a key written to <c>cerver.env</c> (by
/// <c>login</c>) at its next heartbeat, without a restart, and re-registers with it; a key
/// taken out (<c>logout</c>) stops it registering. The relay heartbeats every second on the
/// real clock: a fake one would also drive the resilience pipeline's timeouts of the calls in flight.
/// </summary>
public sealed class NewKeyPickupTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_relay_started_without_a_key_registers_once_login_writes_one_then_follows_a_new_key_and_a_logout()
    {
        await using var gateway = await RelayDaemon.StartAsync("none");
        var gatewayUrl = gateway.BaseUrl.ToString().TrimEnd('/');
        await using var relay = await RelayDaemon.StartAsync("none", environment: new Dictionary<string, string?> { ["CERVER_GATEWAY_URL"] = gatewayUrl, ["CERVER_HEARTBEAT_SECONDS"] = "1" });
        var envFile = relay.Settings.Paths.EnvFile;
        Assert.Equal("not_logged_in", await RegistrationAsync(relay));

        // What 'cerver-relay login' writes.
        var (firstKey, firstKeyId) = await IssueKeyAsync(gateway);
        File.WriteAllText(envFile, $"CERVER_PROFILE=work\nCERVER_API_KEY={firstKey}\nCERVER_GATEWAY_URL={gatewayUrl}\n");
        var registered = await HeartbeatUntilAsync(relay, status => status["registration"]?.GetValue<string>() == "registered");

        Assert.Equal(firstKeyId, registered["key_id"]!.GetValue<string>());
        // The local API takes the key the daemon holds now as the owner's, as it takes one it started with.
        Assert.Equal(HttpStatusCode.OK, await StatusWithKeyAsync(relay, firstKey));
        var computeId = registered["compute_id"]!.GetValue<string>();
        Assert.Contains(await ComputesAsync(gateway), compute => compute["compute_id"]!.GetValue<string>() == computeId);

        // 'login --force': another key replaces the first; the relay registers again with it.
        var (secondKey, secondKeyId) = await IssueKeyAsync(gateway);
        File.WriteAllText(envFile, $"CERVER_PROFILE=work\nCERVER_API_KEY={secondKey}\nCERVER_GATEWAY_URL={gatewayUrl}\n");
        var again = await HeartbeatUntilAsync(relay, status => status["key_id"]?.GetValue<string>() == secondKeyId);

        Assert.Equal("registered", again["registration"]!.GetValue<string>());
        Assert.Equal(computeId, again["compute_id"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, await StatusWithKeyAsync(relay, secondKey));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithKeyAsync(relay, firstKey));

        // 'logout': the key is gone; the relay stops registering.
        File.WriteAllText(envFile, "CERVER_PROFILE=work\n");
        await HeartbeatUntilAsync(relay, status => status["registration"]?.GetValue<string>() == "not_logged_in");
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithKeyAsync(relay, secondKey));

        var log = relay.ReadLog();
        Assert.Contains($"A new key in {envFile}: registering with the gateway", log, StringComparison.Ordinal);
        Assert.Contains($"as compute {computeId}", log, StringComparison.Ordinal);
        Assert.Contains("(logged out): no more registration until a login writes a new one", log, StringComparison.Ordinal);
        Assert.DoesNotContain(firstKey, log, StringComparison.Ordinal);
        Assert.DoesNotContain(secondKey, log, StringComparison.Ordinal);
        // The resilience pipeline's line per attempt is Debug: heartbeats leave no trace at Information.
        Assert.True(!log.Contains("Execution attempt", StringComparison.Ordinal), string.Join("\n", log.Split('\n').Where(line => line.Contains("Polly", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task A_key_given_in_the_environment_is_not_replaced_by_cerver_env()
    {
        await using var gateway = await RelayDaemon.StartAsync("none");
        var gatewayUrl = gateway.BaseUrl.ToString().TrimEnd('/');
        var (key, keyId) = await IssueKeyAsync(gateway);
        await using var relay = await RelayDaemon.StartAsync("none", apiKey: key, environment: new Dictionary<string, string?> { ["CERVER_GATEWAY_URL"] = gatewayUrl, ["CERVER_HEARTBEAT_SECONDS"] = "1" });
        await HeartbeatUntilAsync(relay, status => status["registration"]?.GetValue<string>() == "registered");

        var (other, _) = await IssueKeyAsync(gateway);
        File.WriteAllText(relay.Settings.Paths.EnvFile, $"CERVER_API_KEY={other}\n");
        // Two heartbeats, each a round trip to the gateway, with the file in place.
        var first = (await StatusAsync(relay))["last_heartbeat_at"]?.ToString();
        var status = await HeartbeatUntilAsync(relay, s => s["last_heartbeat_at"]?.ToString() != first);
        status = await HeartbeatUntilAsync(relay, s => s["last_heartbeat_at"]?.ToString() != status["last_heartbeat_at"]?.ToString());

        Assert.Equal("registered", status["registration"]!.GetValue<string>());
        Assert.Equal(keyId, status["key_id"]!.GetValue<string>());
    }

    private static async Task<JsonObject> StatusAsync(RelayDaemon relay) =>
        (await RelayDaemon.ReadJsonAsync(await relay.Client.GetAsync("/relay/status", TestContext.Current.CancellationToken), 200))["gateway"]!.AsObject();

    private static async Task<HttpStatusCode> StatusWithKeyAsync(RelayDaemon relay, string key)
    {
        using var client = relay.CreateClient(key);
        using var response = await client.GetAsync("/relay/status", TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    private static async Task<string?> RegistrationAsync(RelayDaemon relay) => (await StatusAsync(relay))["registration"]?.GetValue<string>();

    /// <summary>Reads the relay's status until it says <paramref name="done"/> (each heartbeat is a second apart).</summary>
    private static async Task<JsonObject> HeartbeatUntilAsync(RelayDaemon relay, Func<JsonObject, bool> done)
    {
        using var patience = new CancellationTokenSource(Patience);
        while (true)
        {
            var status = await StatusAsync(relay);
            if (done(status))
            {
                return status;
            }

            patience.Token.ThrowIfCancellationRequested();
            await Task.Delay(TimeSpan.FromMilliseconds(100), patience.Token);
        }
    }

    private static async Task<(string Key, string KeyId)> IssueKeyAsync(RelayDaemon gateway)
    {
        using var anonymous = gateway.CreateClient(null);
        var start = await RelayDaemon.ReadJsonAsync(await anonymous.PostAsync("/v2/auth/device", RelayDaemon.Json("""{"machine_name": "mini"}"""), TestContext.Current.CancellationToken), 200);
        await RelayDaemon.ReadJsonAsync(await gateway.Client.PostAsync("/relay/devices/approve", RelayDaemon.Json(new JsonObject { ["user_code"] = start["user_code"]!.GetValue<string>() }.ToJsonString()), TestContext.Current.CancellationToken), 200);
        var approved = await RelayDaemon.ReadJsonAsync(await anonymous.GetAsync($"/v2/auth/device?device_code={Uri.EscapeDataString(start["device_code"]!.GetValue<string>())}", TestContext.Current.CancellationToken), 200);
        return (approved["access_token"]!.GetValue<string>(), approved["key_id"]!.GetValue<string>());
    }

    private static async Task<IReadOnlyList<JsonNode>> ComputesAsync(RelayDaemon gateway) =>
        [.. (await RelayDaemon.ReadJsonAsync(await gateway.Client.GetAsync("/v2/computes", TestContext.Current.CancellationToken), 200))["computes"]!.AsArray().Select(c => c!)];

}
