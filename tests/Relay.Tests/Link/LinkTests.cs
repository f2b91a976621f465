using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Connect;
using Cerver.Gateway.Embedded.Fleet;
using Cerver.Gateway.Embedded.Link;
using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Link;
using Cerver.Relay.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Cerver.Relay.Tests.Link;

/// <summary>
/// Two real relays on loopback: A plays the gateway, B registers with it through its real
/// endpoints, opens its connect channel and serves A's calls in its own sandboxes. Nothing on
/// the wire is faked.
/// </summary>
public sealed class LinkTests : IAsyncLifetime
{
    private const string AccountKey = "ck_link_test_account_key_0123456789abcdef";
    private RelayDaemon _a = null!;
    private RelayDaemon _b = null!;

    // B's compute id on A, given by A when B registered there.
    private string LinkedId { get; set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _a = await RelayDaemon.StartAsync("auto", apiKey: AccountKey);
        await StartRelayBAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _b.DisposeAsync();
        await _a.DisposeAsync();
    }

    [Fact]
    public async Task B_is_an_executable_compute_of_A_and_every_call_of_the_contract_runs_in_Bs_sandboxes()
    {
        var compute = LinkedComputeOnA(_a);
        var cancel = TestContext.Current.CancellationToken;

        var sandbox = await compute.CreateSandboxAsync(new CreateSandboxRequest { Metadata = new JsonObject { ["from"] = "a" } }, cancel);
        Assert.Equal(LinkedId, sandbox.ComputeId);
        Assert.True(Directory.Exists(Path.Combine(_b.Home, "relay", "sandboxes", sandbox.SandboxId)), "the workspace is on B");
        Assert.False(Directory.Exists(Path.Combine(_a.Home, "relay", "sandboxes", sandbox.SandboxId)));
        Assert.Equal(sandbox.SandboxId, (await compute.GetSandboxAsync(sandbox.SandboxId, cancel)).SandboxId);
        Assert.Contains(await compute.ListSandboxesAsync(cancel), s => s.SandboxId == sandbox.SandboxId);

        var run = await compute.RunSandboxAsync(sandbox.SandboxId, new RunRequest { Code = "echo out; echo err >&2; exit 3" }, cancel);
        Assert.Equal(("out\n", "err\n", 3), (run.Stdout, run.Stderr, run.ExitCode));

        await compute.WriteFileAsync(sandbox.SandboxId, new WriteFileRequest { Path = "dir/hello.txt", Content = "héllo" }, cancel);
        Assert.Equal("héllo", (await compute.ReadFileAsync(sandbox.SandboxId, "dir/hello.txt", FileEncoding.Utf8, cancel)).Content);
        Assert.Equal(Convert.ToBase64String("héllo"u8.ToArray()), (await compute.ReadFileAsync(sandbox.SandboxId, "dir/hello.txt", FileEncoding.Base64, cancel)).Content);
        Assert.Equal("héllo", await File.ReadAllTextAsync(Path.Combine(_b.Home, "relay", "sandboxes", sandbox.SandboxId, "dir", "hello.txt"), cancel));

        await compute.SetStateAsync(sandbox.SandboxId, new JsonObject { ["step"] = 2 }, cancel);
        Assert.Equal(2, (await compute.GetStateAsync(sandbox.SandboxId, cancel)).State["step"]!.GetValue<int>());

        var install = await compute.InstallPackageAsync(sandbox.SandboxId, new InstallPackageRequest { Manager = "cargo", Packages = ["x"] }, cancel)
            .ContinueWith(task => task.Exception?.InnerException, cancel);
        Assert.Equal("invalid_request", Assert.IsType<ComputeException>(install).Code);

        Assert.Equal("terminated", (await compute.DeleteSandboxAsync(sandbox.SandboxId, cancel)).Status);
        Assert.False(Directory.Exists(Path.Combine(_b.Home, "relay", "sandboxes", sandbox.SandboxId)));
    }

    [Fact]
    public async Task A_refusal_on_B_keeps_its_code_and_status_across_the_link()
    {
        var compute = LinkedComputeOnA(_a);

        var error = await Assert.ThrowsAsync<ComputeException>(() => compute.RunSandboxAsync("sbx_doesnotexist0000", new RunRequest { Code = "true" }, TestContext.Current.CancellationToken));

        Assert.Equal("sandbox_not_found", error.Code);
        Assert.Equal(ComputeErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task Sessions_on_A_run_on_B_plain_and_streamed()
    {
        var session = await RelayDaemon.ReadJsonAsync(await _a.Client.PostAsJsonAsync("/gateway/sessions", new
        {
            task = "run on the linked relay",
            requirements = new { runtime = "shell" },
            target_compute_id = LinkedId,
        }, TestContext.Current.CancellationToken), 200);
        var id = session["session_id"]!.GetValue<string>();
        Assert.Equal(LinkedId, session["compute_id"]!.GetValue<string>());
        var sandboxId = session["sandbox_id"]!.GetValue<string>();
        Assert.True(Directory.Exists(Path.Combine(_b.Home, "relay", "sandboxes", sandboxId)));

        var run = await RelayDaemon.ReadJsonAsync(await _a.Client.PostAsJsonAsync($"/gateway/sessions/{id}/run", new { code = "cat /etc/hostname >/dev/null; echo ran on b" }, TestContext.Current.CancellationToken), 200);
        Assert.Equal("ran on b\n", run["result"]!["stdout"]!.GetValue<string>());

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/gateway/sessions/{id}/run/stream") { Content = JsonContent.Create(new { code = "for i in 1 2 3; do echo line $i; done; echo oops >&2" }) };
        using var response = await _a.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(LinkedId, response.Headers.GetValues("X-Cerver-Provider").Single());
        var events = await ServerSentEvents.ReadAllAsync(response);
        Assert.Equal("line 1\nline 2\nline 3\n", string.Concat(events.Where(e => e.Name == "stdout").Select(e => e.Data)));
        Assert.Equal("oops\n", string.Concat(events.Where(e => e.Name == "stderr").Select(e => e.Data)));
        Assert.Equal("exit", events[^1].Name);

        var ended = await RelayDaemon.ReadJsonAsync(await _a.Client.DeleteAsync($"/gateway/sessions/{id}", TestContext.Current.CancellationToken), 200);
        Assert.Equal("terminated", ended["status"]!.GetValue<string>());
        Assert.False(Directory.Exists(Path.Combine(_b.Home, "relay", "sandboxes", sandboxId)), "ending the session on A deletes the sandbox on B");
    }

    [Fact]
    public async Task Cancelling_a_call_on_A_kills_its_process_tree_on_B()
    {
        var compute = LinkedComputeOnA(_a);
        var sandbox = await compute.CreateSandboxAsync(new CreateSandboxRequest(), TestContext.Current.CancellationToken);
        var marker = "cancel-marker-" + Guid.NewGuid().ToString("N");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var seen = new List<RunStreamEvent>();
        var streaming = Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var item in compute.RunSandboxStreamAsync(sandbox.SandboxId, new RunRequest { Code = $"sh -c 'sleep 300; : {marker}' & echo started; wait", Timeout = 600 }, cancel.Token))
            {
                seen.Add(item);
                if (item is RunOutputEvent)
                {
                    await cancel.CancelAsync();
                }
            }
        });
        await streaming;

        Assert.Equal([typeof(RunAcceptedEvent), typeof(RunOutputEvent)], seen.Select(item => item.GetType()));
        Assert.Equal(0, await ProcessTable.WaitUntilGoneAsync(marker, TimeSpan.FromSeconds(20)));
        await compute.DeleteSandboxAsync(sandbox.SandboxId, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task When_the_link_drops_mid_call_A_fails_the_call_cleanly_and_B_kills_its_processes()
    {
        var session = await RelayDaemon.ReadJsonAsync(await _a.Client.PostAsJsonAsync("/gateway/sessions", new
        {
            task = "doomed",
            requirements = new { runtime = "shell" },
            target_compute_id = LinkedId,
        }, TestContext.Current.CancellationToken), 200);
        var id = session["session_id"]!.GetValue<string>();
        var marker = "doomed-" + Guid.NewGuid().ToString("N");

        var running = _a.Client.PostAsJsonAsync($"/gateway/sessions/{id}/run", new { code = $"sleep 120; echo {marker}", timeout = 300 }, TestContext.Current.CancellationToken);
        while (ProcessTable.CountWithArgument(marker) == 0)
        {
            Assert.False(running.IsCompleted, "the run ended before it was seen running on B");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        _a.App.Services.GetRequiredService<ConnectedRelays>().Find(LinkedId)!.Abort();

        var error = await RelayDaemon.ReadJsonAsync(await running, 503);
        Assert.Equal(LinkErrors.RelayDisconnected, error["error"]!["code"]!.GetValue<string>());
        Assert.Equal(0, await ProcessTable.WaitUntilGoneAsync(marker, TimeSpan.FromSeconds(20)));
        var detail = await RelayDaemon.ReadJsonAsync(await _a.Client.GetAsync($"/gateway/sessions/{id}", TestContext.Current.CancellationToken), 200);
        Assert.Contains(detail["events"]!.AsArray(), e => e!["type"]!.GetValue<string>() == "failed" && e["data"]!["code"]!.GetValue<string>() == LinkErrors.RelayDisconnected);
        await WaitUntilLinkedAsync(_a);
    }

    [Fact]
    public async Task Once_B_is_gone_A_routes_new_sessions_to_a_live_compute_and_refuses_ones_pinned_to_B()
    {
        await _b.DisposeAsync();
        var registry = _a.App.Services.GetRequiredService<ComputeRegistry>();
        while (registry.Find(LinkedId) is not null)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        var next = await RelayDaemon.ReadJsonAsync(await _a.Client.PostAsJsonAsync("/gateway/sessions", new { task = "after the drop", requirements = new { runtime = "shell" } }, TestContext.Current.CancellationToken), 200);
        Assert.Equal("local", next["provider"]!.GetValue<string>());
        var pinned = await _a.Client.PostAsJsonAsync("/gateway/sessions", new { task = "pinned to the dead relay", requirements = new { runtime = "shell" }, target_compute_id = LinkedId }, TestContext.Current.CancellationToken);
        Assert.Equal(409, (int)pinned.StatusCode);

        await StartRelayBAsync();
    }

    [Fact]
    public async Task When_B_stops_a_call_in_flight_finishes_within_the_grace_and_reaches_A()
    {
        var session = await RelayDaemon.ReadJsonAsync(await _a.Client.PostAsJsonAsync("/gateway/sessions", new
        {
            task = "finish before the relay stops",
            requirements = new { runtime = "shell" },
            target_compute_id = LinkedId,
        }, TestContext.Current.CancellationToken), 200);
        var id = session["session_id"]!.GetValue<string>();
        var workspace = Path.Combine(_b.Home, "relay", "sandboxes", session["sandbox_id"]!.GetValue<string>());
        var marker = "drain-" + Guid.NewGuid().ToString("N");

        var running = _a.Client.PostAsJsonAsync($"/gateway/sessions/{id}/run", new { code = $"until [ -f go ]; do sleep 0.05; done; echo finished {marker}", timeout = 120 }, TestContext.Current.CancellationToken);
        while (ProcessTable.CountWithArgument(marker) == 0)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        var gate = _b.App.Services.GetRequiredService<Cerver.Relay.Compute.Sandboxes.LocalCompute>().Gate;
        var stopping = _b.DisposeAsync().AsTask();
        while (!gate.IsDraining)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        await File.WriteAllTextAsync(Path.Combine(workspace, "go"), "", TestContext.Current.CancellationToken);
        var run = await RelayDaemon.ReadJsonAsync(await running, 200);
        Assert.Equal($"finished {marker}\n", run["result"]!["stdout"]!.GetValue<string>());
        await stopping;

        await StartRelayBAsync();
    }

    [Fact]
    public async Task B_keeps_its_local_api_while_A_is_gone_says_since_when_and_relinks_when_A_is_back()
    {
        var state = _b.App.Services.GetRequiredService<LinkState>();
        Assert.Equal(LinkStatus.Connected, state.Current.Status);

        _a = await _a.RestartAsync(async () =>
        {
            while (state.Current.Status != LinkStatus.Offline)
            {
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }

            Assert.NotNull(state.Current.Since);
            Assert.NotNull(state.Current.LastError);
            Assert.Equal(201, (int)(await _b.Client.PostAsync("/sandbox", null, TestContext.Current.CancellationToken)).StatusCode);
            var status = await RelayDaemon.ReadJsonAsync(await _b.Client.GetAsync("/relay/status", TestContext.Current.CancellationToken), 200);
            Assert.Equal("offline", status["gateway"]!["link"]!.GetValue<string>());
            Assert.NotNull(status["gateway"]!["link_since"]);
        });

        await WaitUntilLinkedAsync(_a);
        while (state.Current.Status != LinkStatus.Connected)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        var relinked = await RelayDaemon.ReadJsonAsync(await _b.Client.GetAsync("/relay/status", TestContext.Current.CancellationToken), 200);
        Assert.Equal("connected", relinked["gateway"]!["link"]!.GetValue<string>());
    }

    private async Task StartRelayBAsync() => (_b, LinkedId) = await LinkFixtures.StartLinkedAsync(_a, AccountKey);

    private LinkedCompute LinkedComputeOnA(RelayDaemon a) =>
        Assert.IsType<LinkedCompute>(a.App.Services.GetRequiredService<ComputeRegistry>().Find(LinkedId)?.Compute);

    private Task WaitUntilLinkedAsync(RelayDaemon a) => LinkFixtures.WaitUntilRoutedAsync(a, LinkedId);
}
