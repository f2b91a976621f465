using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Accounts;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Fleet;

/// <summary>Device authorization on the embedded gateway (SPEC 7 "Login"), over real HTTP, on a clock the tests move.</summary>
public sealed class DeviceLoginApiTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task A_login_starts_with_a_long_device_code_and_a_readable_user_code()
    {
        var start = await fixture.StartLoginAsync();
        Assert.Matches("^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$", start["user_code"]!.GetValue<string>());
        Assert.True(start["device_code"]!.GetValue<string>().Length >= 40);
        Assert.Equal(600, start["expires_in"]!.GetValue<int>());
        Assert.Equal(5, start["interval"]!.GetValue<int>());
        Assert.EndsWith("/device", start["verification_uri"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal($"{start["verification_uri"]}?user_code={start["user_code"]}", start["verification_uri_complete"]!.GetValue<string>());

        var pending = await RelayDaemon.ReadJsonAsync(await fixture.PollAsync(start["device_code"]!.GetValue<string>()), 202);
        Assert.Equal("pending", pending["status"]!.GetValue<string>());
        Assert.Equal("authorization_pending", pending["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Polling_faster_than_the_interval_is_told_to_slow_down_by_five_seconds()
    {
        var code = (await fixture.StartLoginAsync())["device_code"]!.GetValue<string>();
        await RelayDaemon.ReadJsonAsync(await fixture.PollAsync(code), 202);
        fixture.Time.Advance(TimeSpan.FromSeconds(2));
        var slow = await RelayDaemon.ReadJsonAsync(await fixture.PollAsync(code), 202);
        Assert.Equal("slow_down", slow["error"]!.GetValue<string>());
        Assert.Equal(10, slow["interval"]!.GetValue<int>());

        fixture.Time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal("slow_down", (await RelayDaemon.ReadJsonAsync(await fixture.PollAsync(code), 202))["error"]!.GetValue<string>());
        fixture.Time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal("authorization_pending", (await RelayDaemon.ReadJsonAsync(await fixture.PollAsync(code), 202))["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_approved_login_hands_out_its_key_exactly_once()
    {
        var start = await fixture.StartLoginAsync("laptop");
        var typed = start["user_code"]!.GetValue<string>().Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
        var decided = await RelayDaemon.ReadJsonAsync(await fixture.DecideAsync("approve", typed), 200);
        Assert.Equal("approved", decided["status"]!.GetValue<string>());
        Assert.Equal("laptop", decided["machine_name"]!.GetValue<string>());

        var code = start["device_code"]!.GetValue<string>();
        var approved = await RelayDaemon.ReadJsonAsync(await fixture.PollAsync(code), 200);
        Assert.Equal("approved", approved["status"]!.GetValue<string>());
        Assert.StartsWith(RelayKeys.Prefix, approved["access_token"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("acc_", approved["account_id"]!.GetValue<string>(), StringComparison.Ordinal);

        var again = await RelayDaemon.ReadJsonAsync(await fixture.PollAsync(code), 400);
        Assert.Equal("invalid_device_code", again["error"]!.GetValue<string>());
        Assert.Null(again["access_token"]);
        Assert.Equal("already_decided", await RelayDaemon.ReadErrorAsync(await fixture.DecideAsync("approve", typed), 409));
    }

    [Fact]
    public async Task A_denied_login_is_access_denied()
    {
        var start = await fixture.StartLoginAsync();
        await RelayDaemon.ReadJsonAsync(await fixture.DecideAsync("deny", start["user_code"]!.GetValue<string>()), 200);
        var denied = await RelayDaemon.ReadJsonAsync(await fixture.PollAsync(start["device_code"]!.GetValue<string>()), 400);
        Assert.Equal("denied", denied["status"]!.GetValue<string>());
        Assert.Equal("access_denied", denied["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_expired_code_can_be_neither_approved_nor_polled()
    {
        var start = await fixture.StartLoginAsync();
        fixture.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal("code_expired", await RelayDaemon.ReadErrorAsync(await fixture.DecideAsync("approve", start["user_code"]!.GetValue<string>()), 410));
        var expired = await RelayDaemon.ReadJsonAsync(await fixture.PollAsync(start["device_code"]!.GetValue<string>()), 400);
        Assert.Equal("expired_token", expired["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_codes_are_refused_clearly()
    {
        Assert.Equal("invalid_device_code", (await RelayDaemon.ReadJsonAsync(await fixture.PollAsync("cdc_not_a_code"), 400))["error"]!.GetValue<string>());
        Assert.Equal("unknown_user_code", await RelayDaemon.ReadErrorAsync(await fixture.DecideAsync("approve", "BBBB-BBBB"), 404));
        Assert.Equal("invalid_request", await RelayDaemon.ReadErrorAsync(await fixture.DecideAsync("approve", "0000-1111"), 400));
    }

    [Fact]
    public async Task Devices_lists_waiting_logins_and_issued_keys_but_never_a_secret()
    {
        var start = await fixture.StartLoginAsync("waiting-box");
        var (key, keyId) = await fixture.IssueKeyAsync("issued-box");
        var text = await (await fixture.Gateway.Client.GetAsync("/relay/devices")).Content.ReadAsStringAsync();
        var devices = JsonNode.Parse(text)!;
        Assert.Contains(devices["pending"]!.AsArray(), device => device!["user_code"]!.GetValue<string>() == start["user_code"]!.GetValue<string>());
        var issued = devices["keys"]!.AsArray().Single(k => k!["key_id"]!.GetValue<string>() == keyId)!;
        Assert.Equal("active", issued["status"]!.GetValue<string>());
        Assert.Equal("issued-box", issued["machine_name"]!.GetValue<string>());
        Assert.DoesNotContain(key, text, StringComparison.Ordinal);
        Assert.DoesNotContain(start["device_code"]!.GetValue<string>(), text, StringComparison.Ordinal);
    }
}
