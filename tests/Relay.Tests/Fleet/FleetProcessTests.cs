using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Fleet;

/// <summary>
/// Two real relays on loopback: A is the gateway, B logs in to it with the real CLI, is
/// approved with A's CLI, registers, heartbeats, restarts, and is revoked.
/// </summary>
public sealed partial class FleetProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_relay_logs_in_registers_heartbeats_keeps_its_compute_id_and_is_revoked()
    {
        using var homeA = new TempDirectory("cerver-gw");
        using var homeB = new TempDirectory("cerver-relay");
        var portA = RelayProcess.FreePort();
        var portB = RelayProcess.FreePort();
        var urlA = $"http://127.0.0.1:{portA}";
        var envA = Env(portA, ("CERVER_DEVICE_INTERVAL_SECONDS", "1"));
        var envB = Env(portB);
        File.WriteAllText(Path.Combine(homeB.Path, "cerver.env"), "# written by the cerver CLI\nCERVER_PROFILE=work\n");

        using var gateway = await RelayProcess.StartAsync(homeA.Path, portA, envA);
        using var ownerA = Client(urlA, File.ReadAllText(Path.Combine(homeA.Path, "relay", "local.token")).Trim());

        // Login: B prints the code, A's owner approves it with the CLI, B writes the key.
        string key;
        using (var login = RelayProcess.StartCli(homeB.Path, ["login", "--gateway", urlA, "--no-browser"], envB))
        {
            var code = await login.WaitForOutputAsync(UserCodeLine(), Patience);
            var approve = await RelayProcess.RunCliAsync(homeA.Path, ["devices", "approve", code.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant()], envA);
            Assert.True(approve.ExitCode == 0, approve.Stderr);
            Assert.Equal(0, await login.WaitForExitAsync(Patience));
            Assert.Contains("Logged in", login.Stdout, StringComparison.Ordinal);
            var envFile = Path.Combine(homeB.Path, "cerver.env");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(envFile));
            var lines = File.ReadAllLines(envFile);
            Assert.Contains("CERVER_PROFILE=work", lines);
            Assert.Contains($"CERVER_GATEWAY_URL={urlA}", lines);
            key = lines.Single(line => line.StartsWith("CERVER_API_KEY=", StringComparison.Ordinal))["CERVER_API_KEY=".Length..];
            Assert.StartsWith("crk_", key, StringComparison.Ordinal);
            Assert.DoesNotContain(key, login.Stdout + login.Stderr, StringComparison.Ordinal);
        }

        var again = await RelayProcess.RunCliAsync(homeB.Path, ["login", "--gateway", urlA, "--no-browser"], envB);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("--force", again.Stderr, StringComparison.Ordinal);

        // Registration and heartbeat.
        string computeId;
        using (var relay = await RelayProcess.StartAsync(homeB.Path, portB, envB))
        {
            var registered = await EventuallyAsync(() => RelayComputeAsync(ownerA), compute => compute is not null);
            computeId = registered!["compute_id"]!.GetValue<string>();
            Assert.Equal(MachineIdOf(homeB.Path), registered["machine_id"]!.GetValue<string>());
            // The compute id B proposed (its own, from identity.json) was free, so it is B's.
            Assert.Equal(IdentityOf(homeB.Path)["compute_id"]!.GetValue<string>(), computeId);
            Assert.True(registered["capabilities"]!["runtimes"]!.AsObject().ContainsKey("shell"));
            Assert.Equal("none", registered["capabilities"]!["isolation"]!.GetValue<string>());
            var firstBeat = registered["last_heartbeat_at"]!.GetValue<DateTimeOffset>();
            await EventuallyAsync(() => RelayComputeAsync(ownerA), compute => compute!["last_heartbeat_at"]!.GetValue<DateTimeOffset>() > firstBeat);

            var status = await EventuallyAsync(() => StatusAsync(homeB.Path, envB), s => s["gateway"]?["last_heartbeat_at"] is not null);
            Assert.Equal(computeId, status["gateway"]!["compute_id"]!.GetValue<string>());
            Assert.StartsWith("acc_", status["gateway"]!["account_id"]!.GetValue<string>(), StringComparison.Ordinal);
            await EventuallyAsync(() => StatusAsync(homeB.Path, envB), s => s["gateway"]?["link"]?.GetValue<string>() == "connected");
            var human = await RelayProcess.RunCliAsync(homeB.Path, ["status"], envB);
            Assert.Matches(@"link\s+connected since \d{4}-\d\d-\d\d", human.Stdout);
            Assert.Contains(computeId, human.Stdout, StringComparison.Ordinal);
            Assert.Matches(@"heartbeat\s+\d{4}-\d\d-\d\d", human.Stdout);

            // Sessions on A run in B's sandboxes, plain and streamed.
            var (sessionId, sandboxId) = await SessionOnAsync(ownerA, computeId);
            Assert.True(Directory.Exists(Path.Combine(homeB.Path, "relay", "sandboxes", sandboxId)), "the session's sandbox is on B");
            var run = await RelayDaemon.ReadJsonAsync(await ownerA.PostAsync($"/gateway/sessions/{sessionId}/run", RelayDaemon.Json("""{"code": "echo ran on b"}""")), 200);
            Assert.Equal("ran on b\n", run["result"]!["stdout"]!.GetValue<string>());
            using var streamed = await ownerA.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/gateway/sessions/{sessionId}/run/stream") { Content = RelayDaemon.Json("""{"code": "echo one; echo two"}""") }, HttpCompletionOption.ResponseHeadersRead);
            var events = await ServerSentEvents.ReadAllAsync(streamed);
            Assert.Equal("one\ntwo\n", string.Concat(events.Where(e => e.Name == "stdout").Select(e => e.Data)));
            Assert.Equal("exit", events[^1].Name);
            relay.Terminate();
            await relay.WaitForExitAsync(Patience);
        }

        // A clean stop takes B off A's fleet; it comes back under the same id when it starts again.
        Assert.Null(await RelayComputeAsync(ownerA));

        var link = Path.Combine(homeB.Path, "relay", "link.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(link));

        // B killed mid-call: A fails the call (never a success), drops B from routing, and
        // takes B back, with the same compute id, when it restarts.
        using (var crashing = await RelayProcess.StartAsync(homeB.Path, portB, envB))
        {
            await EventuallyAsync(() => StatusAsync(homeB.Path, envB), s => s["gateway"]?["link"]?.GetValue<string>() == "connected");
            var (doomed, _) = await EventuallyAsync(() => TrySessionOnAsync(ownerA, computeId), session => session.SessionId is not null);
            var marker = "fleet-doomed-" + Guid.NewGuid().ToString("N");
            var running = ownerA.PostAsync($"/gateway/sessions/{doomed}/run", RelayDaemon.Json($$"""{"code": "sleep 60; echo {{marker}}", "timeout": 120}"""));
            await EventuallyAsync(() => Task.FromResult(ProcessTable.CountWithArgument(marker)), count => count > 0);
            crashing.Kill();
            Assert.Equal("relay_disconnected", await RelayDaemon.ReadErrorAsync(await running, 503));
            var pinned = await ownerA.PostAsync("/gateway/sessions", RelayDaemon.Json($$"""{"task": "pinned", "requirements": {"runtime": "shell"}, "target_compute_id": "{{computeId}}"}"""));
            Assert.Equal(HttpStatusCode.Conflict, pinned.StatusCode);
        }

        using var restarted = await RelayProcess.StartAsync(homeB.Path, portB, envB);
        var afterRestart = await EventuallyAsync(() => StatusAsync(homeB.Path, envB), s => s["gateway"]?["link"]?.GetValue<string>() == "connected");
        Assert.Equal(computeId, afterRestart["gateway"]!["compute_id"]!.GetValue<string>());
        var (relinked, _) = await EventuallyAsync(() => TrySessionOnAsync(ownerA, computeId), session => session.SessionId is not null);
        var backAgain = await RelayDaemon.ReadJsonAsync(await ownerA.PostAsync($"/gateway/sessions/{relinked}/run", RelayDaemon.Json("""{"code": "echo back"}""")), 200);
        Assert.Equal("back\n", backAgain["result"]!["stdout"]!.GetValue<string>());
        var computes = await RelayDaemon.ReadJsonAsync(await ownerA.GetAsync("/v2/computes"), 200);
        Assert.Single(computes["computes"]!.AsArray(), c => c!["kind"]!.GetValue<string>() == "relay");

        // The relay key works on its routes only, and is refused everywhere once revoked.
        using var asRelay = Client(urlA, key);
        Assert.Equal("forbidden_scope", await RelayDaemon.ReadErrorAsync(await asRelay.GetAsync("/sandbox"), 403));
        Assert.Equal("forbidden_scope", await RelayDaemon.ReadErrorAsync(await asRelay.PostAsync("/gateway/sessions", RelayDaemon.Json("{}")), 403));
        var keyId = (await RelayDaemon.ReadJsonAsync(await asRelay.GetAsync("/v2/auth/whoami"), 200))["key_id"]!.GetValue<string>();
        var revoke = await RelayProcess.RunCliAsync(homeA.Path, ["devices", "revoke", keyId], envA);
        Assert.True(revoke.ExitCode == 0, revoke.Stderr);
        Assert.Equal("unauthorized", await RelayDaemon.ReadErrorAsync(await asRelay.GetAsync("/v2/auth/whoami"), 401));
        Assert.Equal("unauthorized", await RelayDaemon.ReadErrorAsync(
            await asRelay.PostAsync($"/v2/computes/{computeId}/heartbeat", RelayDaemon.Json("""{"status": "online"}""")), 401));
        var failing = await EventuallyAsync(() => StatusAsync(homeB.Path, envB), s => s["gateway"]?["registration"]?.GetValue<string>() == "failing");
        Assert.Contains("revoked", failing["gateway"]!["last_error"]!.GetValue<string>(), StringComparison.Ordinal);
        using var local = Client($"http://127.0.0.1:{portB}", File.ReadAllText(Path.Combine(homeB.Path, "relay", "local.token")).Trim());
        await RelayDaemon.ReadJsonAsync(await local.GetAsync("/sandbox"), 200);

        // Logout removes the key and keeps the other tool's lines.
        var logout = await RelayProcess.RunCliAsync(homeB.Path, ["logout"], envB);
        Assert.Equal(0, logout.ExitCode);
        var remaining = File.ReadAllText(Path.Combine(homeB.Path, "cerver.env"));
        Assert.DoesNotContain("CERVER_API_KEY", remaining, StringComparison.Ordinal);
        Assert.Contains("CERVER_PROFILE=work", remaining, StringComparison.Ordinal);
        Assert.False(File.Exists(link));

        Assert.DoesNotContain(key, LogFiles.ReadAll(Path.Combine(homeA.Path, "relay", "logs")), StringComparison.Ordinal);
        Assert.DoesNotContain(key, LogFiles.ReadAll(Path.Combine(homeB.Path, "relay", "logs")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logout_unregisters_revokes_the_key_and_stops_the_running_relay_registering()
    {
        using var homeA = new TempDirectory("cerver-relay");
        using var homeB = new TempDirectory("cerver-relay");
        var portA = RelayProcess.FreePort();
        var portB = RelayProcess.FreePort();
        var urlA = $"http://127.0.0.1:{portA}";
        using var gateway = await RelayProcess.StartAsync(homeA.Path, portA, Env(portA));
        using var ownerA = Client(urlA, File.ReadAllText(Path.Combine(homeA.Path, "relay", "local.token")).Trim());
        var key = await IssueKeyAsync(ownerA, urlA);
        File.WriteAllText(Path.Combine(homeB.Path, "cerver.env"), $"CERVER_API_KEY={key}\nCERVER_GATEWAY_URL={urlA}\n");
        var envB = Env(portB);
        using var relay = await RelayProcess.StartAsync(homeB.Path, portB, envB);
        await EventuallyAsync(() => StatusAsync(homeB.Path, envB), s => s["gateway"]?["registration"]?.GetValue<string>() == "registered");
        Assert.NotNull(await RelayComputeAsync(ownerA));

        var logout = await RelayProcess.RunCliAsync(homeB.Path, ["logout"], envB);

        Assert.True(logout.ExitCode == 0, logout.Stderr);
        Assert.Contains("Unregistered compute", logout.Stdout, StringComparison.Ordinal);
        Assert.Contains("Revoked the key", logout.Stdout, StringComparison.Ordinal);
        using var asRelay = Client(urlA, key);
        Assert.Equal("unauthorized", await RelayDaemon.ReadErrorAsync(await asRelay.GetAsync("/v2/auth/whoami"), 401));
        await EventuallyAsync(() => StatusAsync(homeB.Path, envB), s => s["gateway"]?["registration"]?.GetValue<string>() == "not_logged_in");
        Assert.Null(await RelayComputeAsync(ownerA));
    }

    [Fact]
    public async Task A_relay_key_may_revoke_itself_and_no_other()
    {
        using var home = new TempDirectory("cerver-relay");
        var port = RelayProcess.FreePort();
        var url = $"http://127.0.0.1:{port}";
        using var gateway = await RelayProcess.StartAsync(home.Path, port, Env(port));
        using var owner = Client(url, File.ReadAllText(Path.Combine(home.Path, "relay", "local.token")).Trim());
        using var first = Client(url, await IssueKeyAsync(owner, url));
        using var second = Client(url, await IssueKeyAsync(owner, url));
        var secondId = (await RelayDaemon.ReadJsonAsync(await second.GetAsync("/v2/auth/whoami"), 200))["key_id"]!.GetValue<string>();
        var firstId = (await RelayDaemon.ReadJsonAsync(await first.GetAsync("/v2/auth/whoami"), 200))["key_id"]!.GetValue<string>();

        Assert.Equal("forbidden_key", await RelayDaemon.ReadErrorAsync(await first.DeleteAsync($"/v2/auth/keys/{secondId}"), 403));
        Assert.Equal("revoked", (await RelayDaemon.ReadJsonAsync(await first.DeleteAsync($"/v2/auth/keys/{firstId}"), 200))["status"]!.GetValue<string>());

        Assert.Equal("unauthorized", await RelayDaemon.ReadErrorAsync(await first.GetAsync("/v2/auth/whoami"), 401));
        await RelayDaemon.ReadJsonAsync(await second.GetAsync("/v2/auth/whoami"), 200);
    }

    /// <summary>A relay key through the whole device flow, approved by the gateway's owner.</summary>
    private static async Task<string> IssueKeyAsync(HttpClient owner, string url)
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(url), Timeout = Patience };
        var start = await RelayDaemon.ReadJsonAsync(await anonymous.PostAsync("/v2/auth/device", RelayDaemon.Json("""{"machine_name": "logout-box"}""")), 200);
        await RelayDaemon.ReadJsonAsync(await owner.PostAsync("/relay/devices/approve", RelayDaemon.Json($$"""{"user_code": "{{start["user_code"]!.GetValue<string>()}}"}""")), 200);
        var approved = await RelayDaemon.ReadJsonAsync(await anonymous.GetAsync($"/v2/auth/device?device_code={Uri.EscapeDataString(start["device_code"]!.GetValue<string>())}"), 200);
        return approved["access_token"]!.GetValue<string>();
    }

    [Fact]
    public async Task Login_to_an_unreachable_gateway_says_so_and_writes_nothing()
    {
        using var home = new TempDirectory("cerver-relay");
        var closed = RelayProcess.FreePort();
        var login = await RelayProcess.RunCliAsync(home.Path, ["login", "--gateway", $"http://127.0.0.1:{closed}", "--no-browser"]);
        Assert.Equal(8, login.ExitCode);
        Assert.Contains("cannot reach the gateway", login.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(home.Path, "cerver.env")));
    }

    [Fact]
    public async Task Gateway_calls_go_through_the_proxy_named_in_the_environment()
    {
        using var home = new TempDirectory("cerver-relay");
        using var proxy = new TcpListener(IPAddress.Loopback, 0);
        proxy.Start();
        var proxyUrl = $"http://127.0.0.1:{((IPEndPoint)proxy.LocalEndpoint).Port}";
        var environment = new Dictionary<string, string> { ["HTTP_PROXY"] = proxyUrl, ["HTTPS_PROXY"] = proxyUrl, ["NO_PROXY"] = "", ["no_proxy"] = "" };
        var login = RelayProcess.RunCliAsync(home.Path, ["login", "--gateway", "http://gateway.cerver.test", "--no-browser"], environment);

        using var connection = await proxy.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
        await using var stream = connection.GetStream();
        var requestLine = await new StreamReader(stream, Encoding.ASCII).ReadLineAsync(TestContext.Current.CancellationToken);
        await stream.WriteAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
        Assert.Equal("POST http://gateway.cerver.test/v2/auth/device HTTP/1.1", requestLine);
        Assert.Equal(1, (await login).ExitCode);
    }

    [GeneratedRegex(@"enter code\s+([A-Z]{4}-[A-Z]{4})")]
    private static partial Regex UserCodeLine();

    private static Dictionary<string, string> Env(int port, params (string Name, string Value)[] extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["CERVER_RELAY_PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["CERVER_ISOLATION"] = "none",
            ["CERVER_HEARTBEAT_SECONDS"] = "1",
            ["CERVER_API_KEY"] = "",
            ["CERVER_GATEWAY_URL"] = "",
        };
        foreach (var (name, value) in extra)
        {
            environment[name] = value;
        }

        return environment;
    }

    private static HttpClient Client(string url, string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(url), Timeout = Patience };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<JsonNode?> RelayComputeAsync(HttpClient owner)
    {
        var computes = await RelayDaemon.ReadJsonAsync(await owner.GetAsync("/v2/computes"), 200);
        return computes["computes"]!.AsArray().SingleOrDefault(c => c!["kind"]!.GetValue<string>() == "relay");
    }

    private static async Task<(string SessionId, string SandboxId)> SessionOnAsync(HttpClient owner, string computeId) =>
        await TrySessionOnAsync(owner, computeId) is { SessionId: { } id, SandboxId: { } sandbox } ? (id, sandbox) : throw new InvalidOperationException($"no session on {computeId}");

    /// <summary>A shell session on A pinned to the given compute; nulls while that compute is not linked (409).</summary>
    private static async Task<(string? SessionId, string? SandboxId)> TrySessionOnAsync(HttpClient owner, string computeId)
    {
        using var response = await owner.PostAsync("/gateway/sessions", RelayDaemon.Json($$"""{"task": "on the linked relay", "requirements": {"runtime": "shell"}, "target_compute_id": "{{computeId}}"}"""));
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            return (null, null);
        }

        var session = await RelayDaemon.ReadJsonAsync(response, 200);
        Assert.Equal(computeId, session["compute_id"]!.GetValue<string>());
        return (session["session_id"]!.GetValue<string>(), session["sandbox_id"]!.GetValue<string>());
    }

    private static async Task<JsonObject> StatusAsync(string home, Dictionary<string, string> environment)
    {
        var status = await RelayProcess.RunCliAsync(home, ["status", "--json"], environment);
        return JsonNode.Parse(status.Stdout)!.AsObject();
    }

    private static string MachineIdOf(string home) =>
        IdentityOf(home)["machine_id"]!.GetValue<string>();

    private static JsonNode IdentityOf(string home) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(home, "relay", "identity.json")))!;


    /// <summary>Asks again until the answer satisfies the condition: the relays act on their own clocks.</summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> done)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            await Task.Delay(200, timeout.Token);
        }
    }
}
