using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Agents.Codex;
using Cerver.Relay.TestKit.AgentClis;
using Cerver.Relay.TestKit.ModelStandIns;

namespace Cerver.Relay.Compute.Tests.Agents.Codex;

/// <summary>
/// The real Codex CLI (pinned in <see cref="PinnedAgentClis"/>) driven by the harness against the
/// loopback Responses stand-in, through <c>OPENAI_BASE_URL</c> and a dummy key as an API-mode
/// user would configure the relay: nothing leaves the machine.
/// </summary>
public sealed class CodexCliTests : IAsyncLifetime
{
    private const string ApiKey = "sk-stand-in-key";

    private readonly string _root = Directory.CreateTempSubdirectory("codex-").FullName;
    private ResponsesStandIn _model = null!;
    private string _codex = "";

    private string Workspace => Path.Combine(_root, "workspace");

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        foreach (var folder in new[] { "workspace", "home", "state" })
        {
            Directory.CreateDirectory(Path.Combine(_root, folder));
        }

        _codex = await PinnedAgentClis.CodexAsync(Cancellation);
        _model = await ResponsesStandIn.StartAsync(Cancellation);
    }

    public async ValueTask DisposeAsync()
    {
        await _model.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_text_turn_gives_the_echo_its_thinking_usage_and_a_thread_id()
    {
        var run = await RunAsync(new AgentTurn
        {
            Harness = "codex",
            Prompt = "[[think]] hello codex",
            Model = "gpt-5-stand-in",
            SystemPrompt = "Answer like a \"relay\".",
        });

        Assert.Equal(0, run.ExitCode);
        Assert.Null(run.ReportedError);
        var thread = Assert.Single(run.Events.OfType<AgentSessionEvent>()).CliSessionId;
        Assert.True(Guid.TryParse(thread, out _), $"thread id '{thread}'");
        Assert.Contains(AgentEntry.Thinking("thinking about: [[think]] hello codex"), run.Entries);
        Assert.Equal(AgentEntry.Text("echo: [[think]] hello codex"), run.Entries.Last());
        var usage = Assert.Single(run.Events.OfType<AgentUsageEvent>());
        Assert.True(usage.InputTokens > 0 && usage.OutputTokens > 0);

        var request = Assert.Single(_model.ResponseRequests);
        Assert.Equal("Bearer " + ApiKey, request.Headers["authorization"]);
        Assert.Equal("gpt-5-stand-in", request.Json?["model"]?.GetValue<string>());
        Assert.Contains(request.Input, item => item["role"]?.GetValue<string>() == "developer"
            && ResponsesConversation.ContentText(item["content"]).Contains("Answer like a \"relay\".", StringComparison.Ordinal));
    }

    /// <summary>Codex's default model calls tools from JavaScript (code mode); an unknown model gets plain function tools.</summary>
    [Theory]
    [InlineData(null)]
    [InlineData("gpt-5-stand-in")]
    public async Task A_bash_turn_runs_the_command_in_the_workspace_and_reports_the_tool(string? model)
    {
        var run = await RunAsync(new AgentTurn { Harness = "codex", Prompt = "[[bash: echo hi > f.txt]]", Model = model });

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("hi\n", await File.ReadAllTextAsync(Path.Combine(Workspace, "f.txt"), Cancellation));
        var use = Assert.Single(run.Entries, entry => entry.Kind == "tool_use");
        Assert.Equal("shell", use.ToolName);
        Assert.Contains("echo hi > f.txt", use.ToolInput?["command"]?.GetValue<string>(), StringComparison.Ordinal);
        var result = Assert.Single(run.Entries, entry => entry.Kind == "tool_result");
        Assert.Equal(use.ToolId, result.ToolId);
        Assert.False(result.IsError);
        Assert.StartsWith("tool said: ", run.Entries.Last(entry => entry.Kind == "text").Content, StringComparison.Ordinal);
        Assert.Equal(2, _model.ResponseRequests.Count);
    }

    [Fact]
    public async Task A_second_turn_resumes_the_thread_and_the_model_sees_the_first()
    {
        var first = await RunAsync(new AgentTurn { Harness = "codex", Prompt = "first words" });
        var second = await RunAsync(new AgentTurn { Harness = "codex", Prompt = "second words", CliSessionId = first.SessionId });

        Assert.Equal(0, second.ExitCode);
        Assert.Equal(first.SessionId, second.SessionId);
        Assert.Equal(AgentEntry.Text("echo: second words"), second.Entries.Last());
        var resumed = _model.ResponseRequests[^1];
        Assert.Equal("second words", resumed.LatestUserText);
        var said = resumed.Input.Select(item => ResponsesConversation.ContentText(item["content"])).ToList();
        Assert.Contains("first words", said);
        Assert.Contains("echo: first words", said);

        // Codex reports the thread's running total, not the turn's (the stand-in charges 10 per input
        // item): whoever keeps a session's total must not add a resumed turn's usage to it.
        var before = Assert.Single(first.Events.OfType<AgentUsageEvent>());
        var after = Assert.Single(second.Events.OfType<AgentUsageEvent>());
        Assert.Equal(before.InputTokens + (10 * resumed.Input.Count), after.InputTokens);
    }

    [Fact]
    public async Task A_refused_request_fails_the_turn_with_the_endpoint_s_message()
    {
        var run = await RunAsync(new AgentTurn { Harness = "codex", Prompt = "[[error: 400]]" });

        Assert.NotEqual(0, run.ExitCode);
        Assert.Equal("stand-in error 400", run.ReportedError);
        Assert.Single(_model.ResponseRequests);
    }

    private Task<AgentCliRun> RunAsync(AgentTurn turn)
    {
        var variables = new Dictionary<string, string> { ["OPENAI_BASE_URL"] = _model.BaseUrl, ["OPENAI_API_KEY"] = ApiKey };
        return AgentCliRun.RunAsync(new CodexHarness(), turn, new AgentTurnContext(_codex, Workspace, Path.Combine(_root, "state"), variables),
            new Dictionary<string, string>(variables) { ["HOME"] = Path.Combine(_root, "home"), ["LANG"] = "C.UTF-8" }, overrides: null, Cancellation);
    }
}
