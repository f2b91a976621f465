using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Cerver.Relay.Tests.Mcp.TypeScriptMcpClient;

namespace Cerver.Relay.Tests.Mcp;

/// <summary>The relay's MCP server as the official TypeScript SDK sees it, on stdio (the real binary's <c>mcp</c> verb) and on the daemon's <c>/mcp</c>.</summary>
public sealed class McpTypeScriptClientTests(McpDaemon daemon) : IClassFixture<McpDaemon>
{
    private static readonly string[] ToolNames =
        ["cerver_session_list", "cerver_session_peek", "cerver_session_export", "secret_fetch", "cerver_session_create", "cerver_run", "cerver_agent_turn"];

    [Fact]
    public async Task Over_stdio_the_client_lists_the_tools_and_calls_each_one()
    {
        const string secret = "stdio-secret-value-7d2f";
        var events = await RunAsync(Stdio(daemon.Home, new Dictionary<string, string> { ["MCP_STDIO_SECRET"] = secret }),
            List(),
            Call("cerver_session_list", new JsonObject { ["limit"] = 100 }),
            Call("cerver_session_peek", new JsonObject { ["session_id"] = daemon.SessionId, ["last_n"] = 2 }),
            Call("cerver_session_export", new JsonObject { ["session_id"] = daemon.SessionId }),
            Call("cerver_run", new JsonObject { ["session_id"] = daemon.SessionId, ["code"] = "echo out-of-mcp; echo err-of-mcp >&2; exit 3", ["language"] = "sh", ["timeout_seconds"] = 60 }),
            Call("cerver_session_create", new JsonObject { ["session_name"] = "made over mcp", ["transcript_only"] = true }),
            Call("secret_fetch", new JsonObject { ["name"] = "MCP_STDIO_SECRET" }),
            Call("cerver_agent_turn", new JsonObject { ["session_id"] = daemon.SessionId, ["prompt"] = "hi" }));

        Assert.Equal("cerver-relay", events.Single(e => e["event"]!.GetValue<string>() == "connected")["server"]!["name"]!.GetValue<string>());
        var tools = events.Single(e => e["event"]!.GetValue<string>() == "tools")["tools"]!.AsArray();
        Assert.Equal(ToolNames, tools.Select(tool => tool!["name"]!.GetValue<string>()));
        Assert.All(tools, tool => Assert.False(tool!["inputSchema"]!["additionalProperties"]!.GetValue<bool>()));

        var list = McpCalls.Of(events, "cerver_session_list");
        McpCalls.SuccessText(list);
        var listed = list["result"]!["structuredContent"]!["sessions"]!.AsArray();
        Assert.Contains(listed, session => session!["session_id"]!.GetValue<string>() == daemon.SessionId);

        var peek = McpCalls.Of(events, "cerver_session_peek");
        McpCalls.SuccessText(peek);
        var entries = peek["result"]!["structuredContent"]!["entries"]!.AsArray();
        Assert.Equal(2, entries.Count);
        Assert.Equal(["tool_use", "tool_result"], entries.Select(entry => entry!["kind"]!.GetValue<string>()));
        Assert.Contains(McpDaemon.RunMarker, entries[1]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(3, peek["result"]!["structuredContent"]!["transcript_total"]!.GetValue<int>());

        var export = McpCalls.SuccessText(McpCalls.Of(events, "cerver_session_export"));
        Assert.StartsWith($"# session {daemon.SessionId} ", export, StringComparison.Ordinal);
        Assert.Contains($"user/message", export, StringComparison.Ordinal);
        Assert.Contains(McpDaemon.InputText, export, StringComparison.Ordinal);
        Assert.Contains(McpDaemon.RunMarker, export, StringComparison.Ordinal);

        var run = McpCalls.Of(events, "cerver_run");
        McpCalls.SuccessText(run);
        var outcome = run["result"]!["structuredContent"]!;
        Assert.Equal(3, outcome["exit_code"]!.GetValue<int>());
        Assert.Equal("out-of-mcp\n", outcome["stdout"]!.GetValue<string>());
        Assert.Equal("err-of-mcp\n", outcome["stderr"]!.GetValue<string>());
        Assert.False(outcome["timed_out"]!.GetValue<bool>());

        var created = McpCalls.Of(events, "cerver_session_create");
        McpCalls.SuccessText(created);
        var createdId = created["result"]!["structuredContent"]!["session_id"]!.GetValue<string>();
        Assert.Equal("none", created["result"]!["structuredContent"]!["provider"]!.GetValue<string>());
        var stored = await daemon.Client.GetFromJsonAsync<JsonObject>($"/v2/sessions?limit=200");
        Assert.Contains(stored!["sessions"]!.AsArray(), session => session!["sessionId"]!.GetValue<string>() == createdId && session["sessionName"]!.GetValue<string>() == "made over mcp");

        Assert.Equal(secret, McpCalls.SuccessText(McpCalls.Of(events, "secret_fetch")));
        Assert.Contains("has no agent", McpCalls.ErrorText(McpCalls.Of(events, "cerver_agent_turn")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_stdio_bad_input_gets_one_clear_error_each_and_nothing_leaks()
    {
        var events = await RunAsync(Stdio(daemon.Home),
            Call("cerver_session_peek", new JsonObject { ["session_id"] = "ses_does_not_exist" }),
            Call("cerver_session_peek", new JsonObject { ["session_id"] = daemon.SessionId, ["last_n"] = 5000 }),
            Call("cerver_session_peek", new JsonObject { ["session_id"] = daemon.SessionId, ["last_n"] = 0 }),
            Call("cerver_session_peek", new JsonObject { ["session_id"] = daemon.SessionId, ["last_n"] = -3 }),
            Call("cerver_session_peek", new JsonObject { ["session_id"] = daemon.SessionId, ["last_n"] = "10" }),
            Call("cerver_session_peek", new JsonObject()),
            Call("cerver_session_list", new JsonObject { ["limit"] = true }),
            Call("cerver_session_list", new JsonObject { ["status"] = "sleeping" }),
            Call("cerver_session_list", new JsonObject { ["colour"] = "blue" }),
            Call("secret_fetch", new JsonObject { ["name"] = "../../etc/passwd" }),
            Call("secret_fetch", new JsonObject { ["name"] = "CERVER_API_KEY" }),
            Call("secret_fetch", new JsonObject { ["name"] = "MCP_TEST_NEVER_SET_4711" }),
            Call("cerver_no_such_tool"));

        Assert.Equal("No session 'ses_does_not_exist' (relay error session_not_found).", McpCalls.ErrorText(McpCalls.Of(events, "cerver_session_peek", 0)));
        Assert.Equal("Argument 'last_n' of cerver_session_peek must be an integer from 1 to 1000; 5000 is out of range.", McpCalls.ErrorText(McpCalls.Of(events, "cerver_session_peek", 1)));
        Assert.Contains("from 1 to 1000; 0 is out of range", McpCalls.ErrorText(McpCalls.Of(events, "cerver_session_peek", 2)), StringComparison.Ordinal);
        Assert.Contains("from 1 to 1000; -3 is out of range", McpCalls.ErrorText(McpCalls.Of(events, "cerver_session_peek", 3)), StringComparison.Ordinal);
        Assert.Equal("Argument 'last_n' of cerver_session_peek must be an integer from 1 to 1000, not a string.", McpCalls.ErrorText(McpCalls.Of(events, "cerver_session_peek", 4)));
        Assert.Equal("cerver_session_peek needs the argument 'session_id' (a non-empty string).", McpCalls.ErrorText(McpCalls.Of(events, "cerver_session_peek", 5)));
        Assert.Equal("Argument 'limit' of cerver_session_list must be an integer from 1 to 100, not a boolean.", McpCalls.ErrorText(McpCalls.Of(events, "cerver_session_list", 0)));
        Assert.StartsWith("Argument 'status' of cerver_session_list must be one of provisioning, ready, running, idle, failed, terminated, ended", McpCalls.ErrorText(McpCalls.Of(events, "cerver_session_list", 1)), StringComparison.Ordinal);
        Assert.StartsWith("cerver_session_list has no argument 'colour'", McpCalls.ErrorText(McpCalls.Of(events, "cerver_session_list", 2)), StringComparison.Ordinal);

        var badName = McpCalls.ErrorText(McpCalls.Of(events, "secret_fetch", 0));
        Assert.StartsWith("The secret name must be letters, digits and underscores", badName, StringComparison.Ordinal);
        Assert.DoesNotContain("passwd", badName, StringComparison.Ordinal);
        Assert.Equal("Secret CERVER_API_KEY is refused: names starting with CERVER_ are the relay's own configuration and keys, not app secrets.",
            McpCalls.ErrorText(McpCalls.Of(events, "secret_fetch", 1)));
        Assert.Equal("Secret MCP_TEST_NEVER_SET_4711 is not set in the MCP server's environment (backend env).", McpCalls.ErrorText(McpCalls.Of(events, "secret_fetch", 2)));

        var unknown = McpCalls.Of(events, "cerver_no_such_tool");
        Assert.Equal(-32602, unknown["error"]!["code"]!.GetValue<int>());
        Assert.Contains("Unknown tool 'cerver_no_such_tool'; this server's tools are cerver_session_list", unknown["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_secrets_backend_is_named_with_the_known_ones()
    {
        var events = await RunAsync(Stdio(daemon.Home, new Dictionary<string, string> { ["CERVER_SECRETS_BACKEND"] = "vault", ["SOME_SECRET"] = "x" }),
            Call("secret_fetch", new JsonObject { ["name"] = "SOME_SECRET" }));

        Assert.Equal("CERVER_SECRETS_BACKEND='vault' is not a secrets backend this relay knows; the known backends are: env.", McpCalls.ErrorText(McpCalls.Of(events, "secret_fetch")));
    }

    [Fact]
    public async Task Over_streamable_http_with_the_token_the_tools_work_and_the_secret_stays_out_of_the_log()
    {
        var session = await daemon.CreateSessionAsync("mcp over http");
        var events = await RunAsync(Http(daemon.BaseUrl, daemon.Token),
            List(),
            Call("cerver_session_list"),
            Call("cerver_session_peek", new JsonObject { ["session_id"] = daemon.SessionId, ["last_n"] = 1 }),
            Call("cerver_run", new JsonObject { ["session_id"] = session, ["code"] = "print(6 * 7)", ["language"] = "python" }),
            Call("secret_fetch", new JsonObject { ["name"] = McpDaemon.SecretName }),
            Call("cerver_session_export", new JsonObject { ["session_id"] = session }),
            Call("cerver_session_create", new JsonObject { ["session_name"] = "made over http", ["transcript_only"] = true }),
            Call("cerver_session_peek", new JsonObject { ["session_id"] = daemon.SessionId, ["last_n"] = 1001 }),
            Call("cerver_nope"));

        Assert.Equal(ToolNames, events.Single(e => e["event"]!.GetValue<string>() == "tools")["tools"]!.AsArray().Select(tool => tool!["name"]!.GetValue<string>()));
        Assert.Contains(McpCalls.Of(events, "cerver_session_list")["result"]!["structuredContent"]!["sessions"]!.AsArray(),
            session => session!["session_id"]!.GetValue<string>() == daemon.SessionId);
        Assert.Single(McpCalls.Of(events, "cerver_session_peek")["result"]!["structuredContent"]!["entries"]!.AsArray());
        Assert.Equal("42\n", McpCalls.Of(events, "cerver_run")["result"]!["structuredContent"]!["stdout"]!.GetValue<string>());
        Assert.Equal(McpDaemon.SecretValue, McpCalls.SuccessText(McpCalls.Of(events, "secret_fetch")));
        Assert.Contains("print(6 * 7)", McpCalls.SuccessText(McpCalls.Of(events, "cerver_session_export")), StringComparison.Ordinal);
        Assert.Equal("made over http", McpCalls.Of(events, "cerver_session_create")["result"]!["structuredContent"]!["session_name"]!.GetValue<string>());
        Assert.Contains("from 1 to 1000; 1001 is out of range", McpCalls.ErrorText(McpCalls.Of(events, "cerver_session_peek", 1)), StringComparison.Ordinal);
        Assert.Equal(-32602, McpCalls.Of(events, "cerver_nope")["error"]!["code"]!.GetValue<int>());

        Assert.DoesNotContain(McpDaemon.SecretValue, daemon.ReadLog(), StringComparison.Ordinal);
        Assert.All(Directory.EnumerateFiles(Path.Combine(daemon.Home, "relay"), "relay.db*"),
            file => Assert.DoesNotContain(McpDaemon.SecretValue, File.ReadAllText(file), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Streamable_http_refuses_a_client_without_the_token_or_from_a_foreign_origin()
    {
        var anonymous = await RunAsync(Http(daemon.BaseUrl, token: null), List());
        var foreign = await RunAsync(Http(daemon.BaseUrl, daemon.Token, origin: "http://evil.example"), List());

        Assert.Equal(401, Failure(anonymous)["code"]!.GetValue<int>());
        Assert.Equal(403, Failure(foreign)["code"]!.GetValue<int>());
        using var plain = new HttpClient { BaseAddress = daemon.BaseUrl };
        using var initialize = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""",
            System.Text.Encoding.UTF8, "application/json");
        using var response = await plain.PostAsync("/mcp", initialize);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("\"code\":\"unauthorized\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>The error of a client that could not connect (its <c>code</c> is the HTTP status the SDK was answered).</summary>
    private static JsonObject Failure(List<JsonObject> events)
    {
        var failed = Assert.Single(events);
        Assert.True(failed["event"]!.GetValue<string>() == "connect_failed", failed.ToJsonString());
        return failed["error"]!.AsObject();
    }
}
