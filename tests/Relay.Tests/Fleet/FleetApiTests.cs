using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Accounts;
using Cerver.Gateway.Embedded.Fleet;
using Cerver.Gateway.Embedded.Fleet.Wire;
using Cerver.Relay.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Cerver.Relay.Tests.Fleet;

/// <summary>Registration, heartbeat and key scope on the embedded gateway (SPEC 7), over real HTTP.</summary>
public sealed class FleetApiTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private RelayDaemon Gateway => fixture.Gateway;

    [Fact]
    public async Task Whoami_names_the_owner_and_a_relay_key()
    {
        var owner = await RelayDaemon.ReadJsonAsync(await Gateway.Client.GetAsync("/v2/auth/whoami"), 200);
        Assert.Equal("owner", owner["kind"]!.GetValue<string>());
        var account = owner["account_id"]!.GetValue<string>();

        var (key, keyId) = await fixture.IssueKeyAsync("whoami-box");
        using var relay = Gateway.CreateClient(key);
        var who = await RelayDaemon.ReadJsonAsync(await relay.GetAsync("/v2/auth/whoami"), 200);
        Assert.Equal("relay", who["kind"]!.GetValue<string>());
        Assert.Equal(account, who["account_id"]!.GetValue<string>());
        Assert.Equal(keyId, who["key_id"]!.GetValue<string>());
        Assert.Equal("whoami-box", who["machine_name"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_same_machine_keeps_its_compute_id_and_its_fields_are_updated()
    {
        var (key, _) = await fixture.IssueKeyAsync();
        using var relay = Gateway.CreateClient(key);
        var first = await GatewayFixture.RegisterAsync(relay, "mch_same");
        var computeId = first["compute_id"]!.GetValue<string>();
        Assert.StartsWith("cmp_", computeId, StringComparison.Ordinal);
        Assert.Equal("ready", first["status"]!.GetValue<string>());

        var changed = GatewayFixture.Registration("mch_same", relayVersion: "0.2.0");
        var second = await RelayDaemon.ReadJsonAsync(await relay.PostAsync("/v2/computes/register", RelayDaemon.Json(changed.ToJsonString())), 200);
        Assert.Equal(computeId, second["compute_id"]!.GetValue<string>());
        Assert.Equal("0.2.0", second["relay_version"]!.GetValue<string>());

        var listed = await RelayDaemon.ReadJsonAsync(await relay.GetAsync("/v2/computes"), 200);
        var entry = listed["computes"]!.AsArray().Single(c => c!["compute_id"]!.GetValue<string>() == computeId)!;
        Assert.Equal("relay", entry["kind"]!.GetValue<string>());
        Assert.Equal("claude", entry["capabilities"]!["cli_tools"]![0]!.GetValue<string>());
        Assert.DoesNotContain(listed["computes"]!.AsArray(), c => c!["kind"]!.GetValue<string>() == "local");
    }

    [Fact]
    public async Task A_proposed_compute_id_is_kept_when_free_or_ours_and_replaced_when_another_accounts()
    {
        var (key, _) = await fixture.IssueKeyAsync();
        using var relay = Gateway.CreateClient(key);
        var proposed = "cmp_proposed" + Guid.NewGuid().ToString("N")[..8];
        var first = await RelayDaemon.ReadJsonAsync(await relay.PostAsync("/v2/computes/register", RelayDaemon.Json(GatewayFixture.Registration("mch_proposer", proposed).ToJsonString())), 200);
        Assert.Equal(proposed, first["compute_id"]!.GetValue<string>());
        Assert.Equal(first["account_id"]!.GetValue<string>(), first["owner_id"]!.GetValue<string>());

        // The same machine proposing another id replaces its record: one machine, one compute.
        var moved = "cmp_moved" + Guid.NewGuid().ToString("N")[..8];
        var second = await RelayDaemon.ReadJsonAsync(await relay.PostAsync("/v2/computes/register", RelayDaemon.Json(GatewayFixture.Registration("mch_proposer", moved).ToJsonString())), 200);
        Assert.Equal(moved, second["compute_id"]!.GetValue<string>());
        var listed = await RelayDaemon.ReadJsonAsync(await relay.GetAsync("/v2/computes"), 200);
        Assert.DoesNotContain(listed["computes"]!.AsArray(), c => c!["compute_id"]!.GetValue<string>() == proposed);

        // Another account's machine cannot take the id over: it gets one of its own.
        var stranger = new Caller(CallerKind.Relay, "acc_someone_else", "key_other", "elsewhere");
        var theirs = await Gateway.App.Services.GetRequiredService<FleetStore>().RegisterAsync(stranger,
            ValidRegistration.From(new RegisterComputeRequest { ComputeId = moved, Capabilities = new ComputeCapabilities() }, stranger), CancellationToken.None);
        Assert.NotEqual(moved, theirs.ComputeId);
        Assert.Equal(second["account_id"]!.GetValue<string>(), (await Gateway.App.Services.GetRequiredService<FleetStore>().FindAsync(moved))!.AccountId);
    }

    [Fact]
    public async Task A_heartbeat_reports_online_as_ready_and_brings_the_capabilities_up_to_date()
    {
        var (key, _) = await fixture.IssueKeyAsync();
        using var relay = Gateway.CreateClient(key);
        var computeId = (await GatewayFixture.RegisterAsync(relay, "mch_beating"))["compute_id"]!.GetValue<string>();

        var beat = await RelayDaemon.ReadJsonAsync(await relay.PostAsync($"/v2/computes/{computeId}/heartbeat", RelayDaemon.Json(
            """{"status": "online", "capabilities": {"runtimes": {"python": "3.12.1"}, "cli_tools": ["codex"], "cpus": 4}, "metadata": {"active_sandboxes": 2, "relay_version": "0.3.0"}}""")), 200);

        Assert.Equal("ready", beat["status"]!.GetValue<string>());
        var entry = (await RelayDaemon.ReadJsonAsync(await relay.GetAsync("/v2/computes"), 200))["computes"]!.AsArray()
            .Single(c => c!["compute_id"]!.GetValue<string>() == computeId)!;
        Assert.Equal("codex", entry["capabilities"]!["cli_tools"]![0]!.GetValue<string>());
        Assert.Equal("3.12.1", entry["capabilities"]!["runtimes"]!["python"]!.GetValue<string>());
        Assert.Equal(2, entry["active_sandboxes"]!.GetValue<int>());
        Assert.Equal("0.3.0", entry["relay_version"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_compute_that_misses_three_heartbeats_is_offline_until_it_beats_again()
    {
        var (key, _) = await fixture.IssueKeyAsync();
        using var relay = Gateway.CreateClient(key);
        var computeId = (await GatewayFixture.RegisterAsync(relay, "mch_offline"))["compute_id"]!.GetValue<string>();
        var fleet = Gateway.App.Services.GetRequiredService<FleetStore>();

        fixture.Time.Advance(fleet.OfflineAfter - TimeSpan.FromSeconds(1));
        Assert.Equal("ready", fleet.StatusOf((await fleet.FindAsync(computeId))!));
        var beat = await RelayDaemon.ReadJsonAsync(await GatewayFixture.HeartbeatAsync(relay, computeId, "busy", 3), 200);
        Assert.Equal("busy", beat["status"]!.GetValue<string>());

        fixture.Time.Advance(fleet.OfflineAfter + TimeSpan.FromSeconds(1));
        var listed = await RelayDaemon.ReadJsonAsync(await Gateway.Client.GetAsync("/v2/computes"), 200);
        var entry = listed["computes"]!.AsArray().Single(c => c!["compute_id"]!.GetValue<string>() == computeId)!;
        Assert.Equal("offline", entry["status"]!.GetValue<string>());
        Assert.Equal(3, entry["active_sandboxes"]!.GetValue<int>());

        await RelayDaemon.ReadJsonAsync(await GatewayFixture.HeartbeatAsync(relay, computeId), 200);
        Assert.Equal("ready", fleet.StatusOf((await fleet.FindAsync(computeId))!));
    }

    [Fact]
    public async Task A_relay_key_reaches_only_its_own_routes()
    {
        var (key, _) = await fixture.IssueKeyAsync();
        using var relay = Gateway.CreateClient(key);
        Assert.Equal("forbidden_scope", await RelayDaemon.ReadErrorAsync(await relay.PostAsync("/sandbox", RelayDaemon.Json("{}")), 403));
        Assert.Equal("forbidden_scope", await RelayDaemon.ReadErrorAsync(await relay.GetAsync("/sandbox"), 403));
        Assert.Equal("forbidden_scope", await RelayDaemon.ReadErrorAsync(await relay.PostAsync("/gateway/sessions", RelayDaemon.Json("{}")), 403));
        Assert.Equal("forbidden_scope", await RelayDaemon.ReadErrorAsync(await relay.GetAsync("/v2/sessions"), 403));
        Assert.Equal("forbidden_scope", await RelayDaemon.ReadErrorAsync(await relay.GetAsync("/relay/devices"), 403));
        Assert.Equal("forbidden_scope", await RelayDaemon.ReadErrorAsync(await relay.GetAsync("/relay/status"), 403));
    }

    [Fact]
    public async Task Another_accounts_compute_is_403_and_an_unknown_one_404()
    {
        var (key, _) = await fixture.IssueKeyAsync();
        using var relay = Gateway.CreateClient(key);
        var stranger = new Caller(CallerKind.Relay, "acc_someone_else", "key_other", "elsewhere");
        var theirs = await Gateway.App.Services.GetRequiredService<FleetStore>().RegisterAsync(stranger,
            new ValidRegistration(null, "mch_theirs", "theirs", "0.1.0", "linux", "x64", new ComputeCapabilities()), CancellationToken.None);

        Assert.Equal("forbidden_compute", await RelayDaemon.ReadErrorAsync(await GatewayFixture.HeartbeatAsync(relay, theirs.ComputeId), 403));
        Assert.Equal("forbidden_compute", await RelayDaemon.ReadErrorAsync(await relay.DeleteAsync($"/v2/computes/{theirs.ComputeId}"), 403));
        var listed = await RelayDaemon.ReadJsonAsync(await relay.GetAsync("/v2/computes"), 200);
        Assert.DoesNotContain(listed["computes"]!.AsArray(), c => c!["compute_id"]!.GetValue<string>() == theirs.ComputeId);
        Assert.Equal("compute_not_found", await RelayDaemon.ReadErrorAsync(await GatewayFixture.HeartbeatAsync(relay, "cmp_nope"), 404));
    }

    [Fact]
    public async Task A_revoked_key_is_refused_at_once_everywhere()
    {
        var (key, keyId) = await fixture.IssueKeyAsync();
        using var relay = Gateway.CreateClient(key);
        var computeId = (await GatewayFixture.RegisterAsync(relay, "mch_revoked"))["compute_id"]!.GetValue<string>();

        var revoked = await RelayDaemon.ReadJsonAsync(await Gateway.Client.DeleteAsync($"/relay/devices/{keyId}"), 200);
        Assert.Equal("revoked", revoked["status"]!.GetValue<string>());
        Assert.Equal("unauthorized", await RelayDaemon.ReadErrorAsync(await relay.GetAsync("/v2/auth/whoami"), 401));
        Assert.Equal("unauthorized", await RelayDaemon.ReadErrorAsync(await GatewayFixture.HeartbeatAsync(relay, computeId), 401));
        Assert.Equal("unauthorized", await RelayDaemon.ReadErrorAsync(await relay.PostAsync("/v2/computes/register", RelayDaemon.Json(GatewayFixture.Registration("mch_revoked").ToJsonString())), 401));
        Assert.Equal("key_not_found", await RelayDaemon.ReadErrorAsync(await Gateway.Client.DeleteAsync("/relay/devices/key_unknown"), 404));
    }

    [Theory]
    [InlineData("/v2/auth/device", "{}", "machine_name")]
    [InlineData("/v2/auth/device", "{\"machine_name\": 7}", "machine_name")]
    [InlineData("/v2/auth/device", "not json", "body")]
    [InlineData("/relay/devices/approve", "{\"user_code\": [1]}", "user_code")]
    [InlineData("/relay/devices/deny", "{}", "user_code")]
    [InlineData("/v2/computes/register", "{}", "capabilities")]
    [InlineData("/v2/computes/register", "{\"capabilities\": {}, \"compute_id\": \"cmp x/\"}", "compute_id")]
    [InlineData("/v2/computes/register", "{\"capabilities\": {}, \"metadata\": {\"machine_id\": \"mch x/\"}}", "machine_id")]
    [InlineData("/v2/computes/register", "{\"capabilities\": {}, \"metadata\": {\"relay_version\": 1}}", "relay_version")]
    [InlineData("/v2/computes/register", "{\"capabilities\": {\"cpus\": \"many\"}}", "capabilities.cpus")]
    [InlineData("/v2/computes/register", "{\"kind\": \"cloud\", \"capabilities\": {}}", "kind")]
    [InlineData("/v2/computes/register", "{\"capabilities\": {}, \"connection\": {\"transport\": \"carrier_pigeon\"}}", "connection.transport")]
    [InlineData("/v2/computes/register", "{\"capabilities\": {\"runtimes\": [\"node\"]}}", "capabilities.runtimes")]
    public async Task Malformed_bodies_are_400_naming_the_field(string path, string body, string field)
    {
        using var response = await Gateway.Client.PostAsync(path, RelayDaemon.Json(body));
        var json = await RelayDaemon.ReadJsonAsync(response, 400);
        Assert.Contains(field, json["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}", "status")]
    [InlineData("{\"status\": \"sleeping\"}", "status")]
    [InlineData("{\"status\": \"ready\"}", "status")]
    [InlineData("{\"status\": \"online\", \"metadata\": {\"active_sandboxes\": -1}}", "active_sandboxes")]
    [InlineData("{\"status\": \"online\", \"metadata\": {\"active_sandboxes\": 1.5}}", "active_sandboxes")]
    [InlineData("{\"status\": \"online\", \"capabilities\": {\"cpus\": \"many\"}}", "capabilities.cpus")]
    public async Task Malformed_heartbeats_are_400_naming_the_field(string body, string field)
    {
        var computeId = (await GatewayFixture.RegisterAsync(Gateway.Client, "mch_owner_box"))["compute_id"]!.GetValue<string>();
        using var response = await Gateway.Client.PostAsync($"/v2/computes/{computeId}/heartbeat", RelayDaemon.Json(body));
        var json = await RelayDaemon.ReadJsonAsync(response, 400);
        Assert.Contains(field, json["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_poll_without_a_device_code_is_400_naming_it()
    {
        using var anonymous = Gateway.CreateClient(null);
        var json = await RelayDaemon.ReadJsonAsync(await anonymous.GetAsync("/v2/auth/device"), 400);
        Assert.Contains("device_code", json["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
