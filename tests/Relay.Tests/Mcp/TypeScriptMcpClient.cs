using System.Diagnostics;
using System.Text.Json.Nodes;
using Cerver.Relay.TestKit.AgentClis;

namespace Cerver.Relay.Tests.Mcp;

/// <summary>
/// The official MCP TypeScript SDK as a client (<c>mcp-client.mjs</c> under Node), run as a
/// process: it connects on stdio or Streamable HTTP, works through its steps and prints one JSON
/// line per outcome (<c>connected</c>, <c>connect_failed</c>, <c>tools</c>, <c>call</c>, <c>waiting</c>).
/// </summary>
public sealed class TypeScriptMcpClient : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    private readonly Process _process;
    private readonly StringWriter _stderr = new();

    private TypeScriptMcpClient(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, line) =>
        {
            lock (_stderr)
            {
                _stderr.WriteLine(line.Data);
            }
        };
        _process.BeginErrorReadLine();
    }

    /// <summary>The built relay executable (next to its <c>cerver-relay.dll</c>), as an MCP client's config names it.</summary>
    public static string RelayExecutable => Path.Combine(AppContext.BaseDirectory, "cerver-relay");

    /// <summary>The real relay binary's <c>mcp</c> verb of <paramref name="cerverHome"/> as the stdio server, with extra variables.</summary>
    public static JsonObject Stdio(string cerverHome, IReadOnlyDictionary<string, string>? environment = null)
    {
        var env = new JsonObject { ["CERVER_HOME"] = cerverHome };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            env[name] = value;
        }

        return new JsonObject { ["kind"] = "stdio", ["command"] = RelayExecutable, ["args"] = new JsonArray("mcp"), ["env"] = env };
    }

    public static JsonObject Http(Uri daemon, string? token, string? origin = null)
    {
        var headers = new JsonObject();
        if (token is not null)
        {
            headers["Authorization"] = $"Bearer {token}";
        }

        if (origin is not null)
        {
            headers["Origin"] = origin;
        }

        return new JsonObject { ["kind"] = "http", ["url"] = new Uri(daemon, "/mcp").ToString(), ["headers"] = headers };
    }

    public static JsonObject List() => new() { ["list"] = true };

    public static JsonObject Call(string tool, JsonObject? arguments = null) => new() { ["call"] = tool, ["arguments"] = arguments ?? [] };

    public static JsonObject Wait() => new() { ["wait"] = true };

    public static async Task<TypeScriptMcpClient> StartAsync(JsonObject transport, params JsonObject[] steps)
    {
        var plan = new JsonObject { ["sdk"] = await PinnedAgentClis.McpSdkAsync(), ["transport"] = transport, ["steps"] = new JsonArray([.. steps]) };
        var info = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Mcp", "mcp-client.mjs"));
        info.ArgumentList.Add(plan.ToJsonString());
        return new TypeScriptMcpClient(Process.Start(info)!);
    }

    /// <summary>Runs a plan to its end and returns its outcomes.</summary>
    public static async Task<List<JsonObject>> RunAsync(JsonObject transport, params JsonObject[] steps)
    {
        using var client = await StartAsync(transport, steps);
        var events = new List<JsonObject>();
        while (await client.NextAsync() is { } next)
        {
            events.Add(next);
        }

        return events;
    }

    /// <summary>The next outcome, or null once the client has finished.</summary>
    public async Task<JsonObject?> NextAsync()
    {
        using var timeout = new CancellationTokenSource(Limit);
        var line = await _process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line is null)
        {
            await _process.WaitForExitAsync(timeout.Token);
            Assert.True(_process.ExitCode == 0, $"the MCP client failed ({_process.ExitCode}): {Stderr}");
            return null;
        }

        return JsonNode.Parse(line)!.AsObject();
    }

    /// <summary>Lets a client at a <see cref="Wait"/> step go on.</summary>
    public Task ContinueAsync() => _process.StandardInput.WriteLineAsync("go");

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}

/// <summary>Reading the client's <c>call</c> outcomes.</summary>
public static class McpCalls
{
    public static JsonObject Of(IEnumerable<JsonObject> events, string tool, int occurrence = 0) =>
        events.Where(e => e["event"]!.GetValue<string>() == "call" && e["name"]!.GetValue<string>() == tool).ElementAt(occurrence);

    public static string Text(JsonObject call) => call["result"]!["content"]![0]!["text"]!.GetValue<string>();

    public static bool IsError(JsonObject call) => call["result"]!["isError"]?.GetValue<bool>() ?? false;

    /// <summary>The text of a result the test expects to be a tool error.</summary>
    public static string ErrorText(JsonObject call)
    {
        Assert.True(IsError(call), $"expected a tool error, got {call.ToJsonString()}");
        return Text(call);
    }

    /// <summary>The text of a result the test expects to have succeeded.</summary>
    public static string SuccessText(JsonObject call)
    {
        Assert.True(call["result"] is not null && !IsError(call), $"expected a result, got {call.ToJsonString()}");
        return Text(call);
    }
}
