using System.Globalization;
using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;
using static Cerver.Relay.Tests.Mcp.TypeScriptMcpClient;

namespace Cerver.Relay.Tests.Mcp;

/// <summary><c>cerver-relay mcp</c> before its home's daemon runs: it serves, says what to start, and finds the daemon once it is up.</summary>
public sealed class McpStdioWithoutDaemonTests
{
    [Fact]
    public async Task Without_a_daemon_the_server_answers_and_says_to_start_one_then_uses_it_once_it_runs()
    {
        using var home = new TempDirectory("cerver-mcp-idle");
        var port = RelayProcess.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["CERVER_RELAY_PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["MCP_IDLE_SECRET"] = "works-without-a-daemon",
        };
        using var client = await StartAsync(Stdio(home.Path, environment),
            List(),
            Call("cerver_session_list"),
            Call("secret_fetch", new JsonObject { ["name"] = "MCP_IDLE_SECRET" }),
            Wait(),
            Call("cerver_session_list"));

        Assert.Equal("connected", (await client.NextAsync())!["event"]!.GetValue<string>());
        Assert.Equal(7, (await client.NextAsync())!["tools"]!.AsArray().Count);
        Assert.Equal($"No relay is running for CERVER_HOME={home.Path}: start it with 'cerver-relay run' or 'cerver-relay service start'.",
            McpCalls.ErrorText((await client.NextAsync())!));
        Assert.Equal("works-without-a-daemon", McpCalls.SuccessText((await client.NextAsync())!));
        Assert.Equal("waiting", (await client.NextAsync())!["event"]!.GetValue<string>());

        using var relay = await RelayProcess.StartAsync(home.Path, port);
        await client.ContinueAsync();
        var list = (await client.NextAsync())!;
        McpCalls.SuccessText(list);
        Assert.Empty(list["result"]!["structuredContent"]!["sessions"]!.AsArray());
        Assert.Null(await client.NextAsync());
    }

    [Fact]
    public async Task Stdout_carries_nothing_but_the_protocol()
    {
        using var home = new TempDirectory("cerver-mcp-quiet");

        var result = await ChildProcess.RunAsync(RelayExecutable, ["mcp"], TimeSpan.FromSeconds(60), new Dictionary<string, string?> { ["CERVER_HOME"] = home.Path });

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Equal("", result.Stderr);
    }
}
