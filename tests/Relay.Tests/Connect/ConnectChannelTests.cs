using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Connect;
using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Tests.Infrastructure;
using Cerver.Relay.Tests.Link;
using Microsoft.Extensions.DependencyInjection;

namespace Cerver.Relay.Tests.Connect;

/// <summary>
/// Two real relays on loopback: B registers with A through A's real endpoints and opens the
/// connect channel; A's requests are served by B's own local API. Nothing on the wire is faked.
/// </summary>
public sealed class ConnectChannelTests : IAsyncLifetime
{
    private const string AccountKey = "ck_connect_test_account_key_0123456789ab";
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(1);
    private RelayDaemon _a = null!;
    private RelayDaemon _b = null!;
    private string _computeId = null!;

    public async ValueTask InitializeAsync()
    {
        _a = await RelayDaemon.StartAsync("none", apiKey: AccountKey);
        (_b, _computeId) = await LinkFixtures.StartLinkedAsync(_a, AccountKey, isolation: "none");
    }

    public async ValueTask DisposeAsync()
    {
        await _b.DisposeAsync();
        await _a.DisposeAsync();
    }

    [Fact]
    public async Task A_request_is_served_by_Bs_own_api_with_its_answers_and_error_shapes()
    {
        var relay = await ConnectedAsync();

        var created = await relay.SendRequestAsync("POST", "/sandbox", new JsonObject(), Deadline, TestContext.Current.CancellationToken);
        Assert.Equal(201, created.Status);
        var sandboxId = created.Body!["sandbox_id"]!.GetValue<string>();
        Assert.True(Directory.Exists(Path.Combine(_b.Home, "relay", "sandboxes", sandboxId)), "the sandbox is on B");

        var ran = await relay.SendRequestAsync("POST", $"/sandbox/{sandboxId}/run", new JsonObject { ["code"] = "printf 'héllo ✓'" }, Deadline, TestContext.Current.CancellationToken);
        Assert.Equal(200, ran.Status);
        Assert.Equal("héllo ✓", ran.Body!["stdout"]!.GetValue<string>());

        // The same refusal, field for field, as B's API gives a caller over HTTP.
        var viaChannel = await relay.SendRequestAsync("POST", $"/sandbox/{sandboxId}/run", new JsonObject { ["code"] = 7 }, Deadline, TestContext.Current.CancellationToken);
        using var direct = await _b.Client.PostAsync($"/sandbox/{sandboxId}/run", RelayDaemon.Json("""{"code":7}"""), TestContext.Current.CancellationToken);
        Assert.Equal((int)direct.StatusCode, viaChannel.Status);
        Assert.Equal(400, viaChannel.Status);
        Assert.True(JsonNode.DeepEquals(await RelayDaemon.ReadJsonAsync(direct, 400), viaChannel.Body), viaChannel.Body?.ToJsonString());

        var unknown = await relay.SendRequestAsync("GET", "/sandbox/sbx_nope", null, Deadline, TestContext.Current.CancellationToken);
        Assert.Equal(404, unknown.Status);
        Assert.Equal("sandbox_not_found", unknown.Body!["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_hosted_gateways_provider_paths_are_served_through_the_channel()
    {
        var relay = await ConnectedAsync();

        var provider = await relay.SendRequestAsync("GET", "/api/cerver/provider", null, Deadline, TestContext.Current.CancellationToken);
        Assert.Equal(200, provider.Status);
        Assert.Equal("cerver_local_provider", provider.Body!["provider"]!.GetValue<string>());
        var created = await relay.SendRequestAsync("POST", "/api/cerver/provider/sandboxes", new JsonObject { ["metadata"] = new JsonObject { ["cerver_session_id"] = "ses_x" } }, Deadline, TestContext.Current.CancellationToken);
        Assert.Equal(200, created.Status);
        var id = created.Body!["sandbox_id"]!.GetValue<string>();
        Assert.True(Directory.Exists(Path.Combine(_b.Home, "relay", "sandboxes", id)), "the provider sandbox is on B");

        var deleted = await relay.SendRequestAsync("DELETE", $"/api/cerver/provider/sandboxes/{id}", null, Deadline, TestContext.Current.CancellationToken);
        Assert.Equal("terminated", deleted.Body!["status"]!.GetValue<string>());
        Assert.False(Directory.Exists(Path.Combine(_b.Home, "relay", "sandboxes", id)));
    }

    [Theory]
    [InlineData("GET", "/relay/status", 404)]
    [InlineData("GET", "/v2/sessions", 404)]
    [InlineData("POST", "/relay/update/activate", 404)]
    [InlineData("GET", "/sandbox/../relay/status", 404)]
    [InlineData("GET", "/sandbox/%2e%2e/relay/status", 404)]
    [InlineData("GET", "//sandbox", 404)]
    [InlineData("GET", "sandbox", 404)]
    [InlineData("GET", "/sandboxes", 404)]
    [InlineData("TRACE", "/sandbox", 405)]
    [InlineData(null, "/sandbox", 405)]
    public async Task Paths_and_methods_it_does_not_serve_its_gateway_are_refused_and_reach_nothing(string? method, string path, int status)
    {
        var relay = await ConnectedAsync();
        var answer = await relay.SendRequestAsync(method!, path, null, Deadline, TestContext.Current.CancellationToken);
        Assert.Equal(status, answer.Status);
        Assert.Equal(status == 404 ? "path_not_served" : "method_not_allowed", answer.Body!["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Concurrent_requests_are_each_answered_with_their_own_result()
    {
        var relay = await ConnectedAsync();
        var sandboxId = (await relay.SendRequestAsync("POST", "/sandbox", new JsonObject(), Deadline, TestContext.Current.CancellationToken)).Body!["sandbox_id"]!.GetValue<string>();

        var runs = Enumerable.Range(0, 24).Select(index =>
            relay.SendRequestAsync("POST", $"/sandbox/{sandboxId}/run", new JsonObject { ["code"] = $"sleep 0.2; echo run-{index}" }, Deadline, TestContext.Current.CancellationToken));
        var answers = await Task.WhenAll(runs);

        for (var index = 0; index < answers.Length; index++)
        {
            Assert.Equal(200, answers[index].Status);
            Assert.Equal($"run-{index}\n", answers[index].Body!["stdout"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task When_the_channel_drops_A_fails_the_request_B_kills_its_run_and_dials_again()
    {
        var relay = await ConnectedAsync();
        var sandboxId = (await relay.SendRequestAsync("POST", "/sandbox", new JsonObject(), Deadline, TestContext.Current.CancellationToken)).Body!["sandbox_id"]!.GetValue<string>();
        var marker = "connect-doomed-" + Guid.NewGuid().ToString("N");
        var running = relay.SendRequestAsync("POST", $"/sandbox/{sandboxId}/run", new JsonObject { ["code"] = $"sleep 120; echo {marker}", ["timeout"] = 300 }, TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken);
        while (ProcessTable.CountWithArgument(marker) == 0)
        {
            Assert.False(running.IsCompleted, "the run ended before it was seen running on B");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        relay.Abort();

        var failure = await Assert.ThrowsAsync<ComputeException>(() => running);
        Assert.Equal("relay_disconnected", failure.Code);
        Assert.Equal(0, await ProcessTable.WaitUntilGoneAsync(marker, TimeSpan.FromSeconds(20)));
        var again = await ConnectedAsync();
        Assert.NotSame(relay, again);
        Assert.Equal(200, (await again.SendRequestAsync("GET", $"/sandbox/{sandboxId}", null, Deadline, TestContext.Current.CancellationToken)).Status);
    }

    [Fact]
    public async Task The_key_may_come_as_the_token_query_parameter_on_the_channel_and_nowhere_else()
    {
        var uri = Cerver.Relay.Connect.ConnectClient.ChannelUri(_a.BaseUrl, _computeId, AccountKey);
        using (var socket = new System.Net.WebSockets.ClientWebSocket())
        {
            await socket.ConnectAsync(uri, TestContext.Current.CancellationToken);
            var buffer = new byte[4096];
            var received = await socket.ReceiveAsync(buffer, TestContext.Current.CancellationToken);
            var connected = JsonNode.Parse(buffer.AsSpan(0, received.Count))!;
            Assert.Equal("connected", connected["type"]!.GetValue<string>());
            Assert.Equal(_computeId, connected["compute_id"]!.GetValue<string>());
        }

        using (var refused = new System.Net.WebSockets.ClientWebSocket { Options = { CollectHttpResponseDetails = true } })
        {
            var wrong = Cerver.Relay.Connect.ConnectClient.ChannelUri(_a.BaseUrl, _computeId, "ck_not_the_key");
            await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() => refused.ConnectAsync(wrong, TestContext.Current.CancellationToken));
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.HttpStatusCode);
        }

        using var anonymous = _a.CreateClient(null);
        Assert.Equal("unauthorized", await RelayDaemon.ReadErrorAsync(await anonymous.GetAsync($"/v2/computes?token={AccountKey}", TestContext.Current.CancellationToken), 401));
    }

    /// <summary>B's channel on A, once it is open (B dials after its registration).</summary>
    private async Task<ConnectedRelay> ConnectedAsync()
    {
        var relays = _a.App.Services.GetRequiredService<ConnectedRelays>();
        while (true)
        {
            if (relays.Find(_computeId) is { Closed.IsCancellationRequested: false } relay)
            {
                return relay;
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
