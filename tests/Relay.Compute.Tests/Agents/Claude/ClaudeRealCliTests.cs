using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Agents.Claude;
using Cerver.Relay.TestKit.AgentClis;
using Cerver.Relay.TestKit.ModelStandIns;

namespace Cerver.Relay.Compute.Tests.Agents.Claude;

/// <summary>
/// The real Claude Code (the pinned npm release) run with the harness's command line against
/// the loopback Anthropic stand-in, as root here: its output read by the harness's parser.
/// </summary>
public sealed class ClaudeRealCliTests : IAsyncLifetime
{
    private const long TurnInput = AnthropicStandIn.InputTokens + AnthropicStandIn.CacheCreationInputTokens + AnthropicStandIn.CacheReadInputTokens;

    private readonly ClaudeFolders _folders = new();
    private AnthropicStandIn _api = null!;
    private string _claude = "";

    public async ValueTask InitializeAsync()
    {
        _api = await AnthropicStandIn.StartAsync(TestContext.Current.CancellationToken);
        _claude = await PinnedAgentClis.ClaudeAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        _folders.Dispose();
    }

    [Fact]
    public async Task A_text_turn_gives_the_echo_a_session_and_the_usage()
    {
        var run = await RunAsync(Turn("hello there"));

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Null(run.ReportedError);
        Assert.Equal(["echo: hello there"], run.Entries.Where(entry => entry.Kind == "text").Select(entry => entry.Content));
        var session = run.Events.OfType<AgentSessionEvent>().First();
        Assert.True(Guid.TryParse(session.CliSessionId, out _), run.Describe());
        Assert.Equal("anthropic", session.ModelProvider);
        Assert.False(string.IsNullOrEmpty(session.Model));
        Assert.Equal(TurnInput, run.Usage?.InputTokens);
        Assert.Equal(AnthropicStandIn.OutputTokens, run.Usage?.OutputTokens);
        var call = Assert.Single(_api.MessageRequests);
        Assert.Equal(ClaudeFolders.ApiKey, call.Header("x-api-key"));
        Assert.Equal("hello there", call.LatestUserText());
    }

    [Fact]
    public async Task A_turn_keeps_its_state_in_the_state_folder_and_writes_nothing_to_the_home()
    {
        var run = await RunAsync(Turn("where do you write"));

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Empty(Directory.GetFileSystemEntries(_folders.Home, "*", SearchOption.AllDirectories));
        Assert.True(File.Exists(Path.Combine(_folders.State, ".claude.json")));
        Assert.Single(Directory.GetFiles(Path.Combine(_folders.State, "projects"), $"{run.SessionId}.jsonl", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_bash_turn_runs_the_tool_in_the_workspace_as_root()
    {
        var run = await RunAsync(Turn("[[bash: echo hi > f.txt]]"));

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Equal("hi\n", await File.ReadAllTextAsync(Path.Combine(_folders.Workspace, "f.txt"), TestContext.Current.CancellationToken));
        var use = Assert.Single(run.Entries, entry => entry.Kind == "tool_use");
        Assert.Equal("Bash", use.ToolName);
        Assert.Equal("echo hi > f.txt", (string?)use.ToolInput?["command"]);
        var result = Assert.Single(run.Entries, entry => entry.Kind == "tool_result");
        Assert.Equal(use.ToolId, result.ToolId);
        Assert.False(result.IsError);
        Assert.Equal("tool", result.Role);
        Assert.StartsWith("tool said: ", run.Entries.Last().Content, StringComparison.Ordinal);
        Assert.Equal(2, _api.MessageRequests.Count);
        Assert.Equal(2 * TurnInput, run.Usage?.InputTokens);
    }

    [Fact]
    public async Task A_failing_command_comes_back_as_an_error_result()
    {
        var run = await RunAsync(Turn("[[bash: cat does-not-exist]]"));

        Assert.True(run.ExitCode == 0, run.Describe());
        var result = Assert.Single(run.Entries, entry => entry.Kind == "tool_result");
        Assert.True(result.IsError);
        Assert.Contains("does-not-exist", result.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_turn_resumes_the_first_session()
    {
        var first = await RunAsync(Turn("remember the apples"));
        Assert.True(first.ExitCode == 0, first.Describe());

        var second = await RunAsync(Turn("what did I say") with { CliSessionId = first.SessionId });

        Assert.True(second.ExitCode == 0, second.Describe());
        Assert.Equal(first.SessionId, second.SessionId);
        Assert.Equal("echo: what did I say", second.Entries.Single(entry => entry.Kind == "text").Content);
        var messages = _api.MessageRequests[^1].Json()?["messages"]?.ToJsonString() ?? "";
        Assert.Contains("remember the apples", messages, StringComparison.Ordinal);
        Assert.Contains("echo: remember the apples", messages, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resuming_a_session_the_state_folder_does_not_hold_is_a_reported_failure()
    {
        var run = await RunAsync(Turn("hello") with { CliSessionId = "3f1b2d4e-0000-4000-8000-000000000000" });

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("No conversation found", run.ReportedError, StringComparison.Ordinal);
        Assert.Empty(_api.MessageRequests);
    }

    [Fact]
    public async Task The_model_and_the_instructions_reach_the_api()
    {
        var run = await RunAsync(Turn("hello") with { Model = "claude-standin-test", SystemPrompt = "- answer in one word" });

        Assert.True(run.ExitCode == 0, run.Describe());
        var call = Assert.Single(_api.MessageRequests).Json()!;
        Assert.Equal("claude-standin-test", (string?)call["model"]);
        Assert.Contains("- answer in one word", call["system"]?.ToJsonString() ?? "", StringComparison.Ordinal);
        Assert.Equal("claude-standin-test", run.Events.OfType<AgentSessionEvent>().Last().Model);
    }

    [Fact]
    public async Task A_thinking_turn_gives_the_thinking_before_the_text()
    {
        var run = await RunAsync(Turn("[[think]] ponder"));

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Equal(["thinking", "text"], run.Entries.Select(entry => entry.Kind));
        Assert.Equal("thinking about: [[think]] ponder", run.Entries.First().Content);
    }

    [Fact]
    public async Task A_prompt_of_a_megabyte_arrives_whole()
    {
        var prompt = "start " + new string('x', 1024 * 1024) + " end";

        var run = await RunAsync(Turn(prompt));

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Equal(prompt, Assert.Single(_api.MessageRequests).LatestUserText());
    }

    [Fact]
    public async Task A_client_error_of_the_api_fails_the_turn_with_its_message()
    {
        var run = await RunAsync(Turn("[[error: 400]]"));

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("API Error: 400 stand-in error 400", run.ReportedError);
        Assert.DoesNotContain(run.Entries, entry => entry.Kind == "text");
        Assert.NotNull(run.Usage);
    }

    [Fact]
    public async Task A_server_error_fails_the_turn_once_the_retries_are_spent()
    {
        // Claude Code retries 5xx, 429 and 401 ten times over minutes; none are left here.
        var run = await RunAsync(Turn("[[error: 500]]"), new Dictionary<string, string> { ["CLAUDE_CODE_MAX_RETRIES"] = "0" });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("500", run.ReportedError, StringComparison.Ordinal);
        Assert.Single(_api.MessageRequests);
    }

    [Fact]
    public async Task A_rejected_key_is_retried_then_reported()
    {
        var run = await RunAsync(Turn("[[error: 401]]"), new Dictionary<string, string> { ["CLAUDE_CODE_MAX_RETRIES"] = "1" });

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(2, _api.MessageRequests.Count);
        Assert.Contains("401", run.ReportedError, StringComparison.Ordinal);
    }

    private static AgentTurn Turn(string prompt) => new() { Harness = "claude", Prompt = prompt };

    private Task<AgentCliRun> RunAsync(AgentTurn turn, IReadOnlyDictionary<string, string>? extraEnvironment = null) =>
        AgentCliRun.RunAsync(new ClaudeHarness(), turn, new AgentTurnContext(_claude, _folders.Workspace, _folders.State),
            new Dictionary<string, string>
            {
                ["HOME"] = _folders.Home,
                ["TMPDIR"] = _folders.Temp,
                ["ANTHROPIC_BASE_URL"] = _api.BaseUrl,
                ["ANTHROPIC_API_KEY"] = ClaudeFolders.ApiKey,
            }, extraEnvironment, TestContext.Current.CancellationToken);
}
