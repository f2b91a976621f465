using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Agents.Claude;

namespace Cerver.Relay.Compute.Tests.Agents.Claude;

/// <summary>The command line, stdin and variables of a Claude Code turn.</summary>
public sealed class ClaudeHarnessTests
{
    private static readonly string[] FirstTurn = ["-p", "--output-format", "stream-json", "--verbose", "--permission-mode", "bypassPermissions"];

    private static readonly AgentTurnContext Context = new("/usr/local/bin/claude", "/work/ws", "/work/ws.agent/claude");

    private readonly ClaudeHarness _harness = new();

    [Fact]
    public void A_first_turn_prints_stream_json_and_reads_the_prompt_from_stdin()
    {
        var launch = _harness.BuildLaunch(Turn("fix the build"), Context);

        Assert.Equal(FirstTurn, launch.Arguments);
        Assert.Equal("fix the build", launch.Stdin);
    }

    [Fact]
    public void A_next_turn_resumes_the_cli_session()
    {
        var launch = _harness.BuildLaunch(Turn("and now the tests") with { CliSessionId = "4e79a8c3-3d1b-45aa-babe-aec14c2e5c62" }, Context);

        Assert.Equal([.. FirstTurn, "--resume=4e79a8c3-3d1b-45aa-babe-aec14c2e5c62"], launch.Arguments);
        Assert.Equal("and now the tests", launch.Stdin);
    }

    [Fact]
    public void The_model_and_the_instructions_ride_in_their_options_even_when_they_start_with_a_dash()
    {
        var launch = _harness.BuildLaunch(Turn("hi") with { Model = "sonnet", SystemPrompt = "- keep answers short\n- no emoji" }, Context);

        Assert.Equal([.. FirstTurn, "--model=sonnet", "--append-system-prompt=- keep answers short\n- no emoji"], launch.Arguments);
    }

    [Fact]
    public void Empty_choices_add_nothing()
    {
        var launch = _harness.BuildLaunch(Turn("hi") with { CliSessionId = "", Model = "", SystemPrompt = "" }, Context);

        Assert.Equal(FirstTurn, launch.Arguments);
    }

    [Fact]
    public void A_prompt_of_megabytes_or_one_that_looks_like_an_option_goes_through_stdin()
    {
        foreach (var prompt in new[] { new string('x', 5 * 1024 * 1024), "--dangerously-skip-permissions", "-h" })
        {
            var launch = _harness.BuildLaunch(Turn(prompt), Context);

            Assert.Same(prompt, launch.Stdin);
            Assert.Equal(FirstTurn, launch.Arguments);
        }
    }

    [Fact]
    public void The_turn_may_bypass_permissions_as_root_and_never_phones_home()
    {
        var environment = _harness.BuildLaunch(Turn("hi"), Context).Environment;

        Assert.Equal("1", environment["IS_SANDBOX"]);
        Assert.Equal("1", environment["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"]);
        Assert.Equal("1", environment["DISABLE_AUTOUPDATER"]);
    }

    [Fact]
    public void It_is_found_by_its_name_and_aliases()
    {
        var harnesses = new AgentHarnesses([_harness]);

        foreach (var name in new[] { "claude", "Claude", "claude-code", "claude_code" })
        {
            Assert.Same(_harness, harnesses.Find(name));
        }

        Assert.Equal("claude", _harness.Executable);
    }

    [Fact]
    public void Its_login_and_keys_are_its_own()
    {
        Assert.Equal("CLAUDE_CONFIG_DIR", _harness.StateDirectoryVariable);
        Assert.Equal([new AgentCredentialFile(".claude/.credentials.json", ".credentials.json")], _harness.CredentialFiles);
        foreach (var name in new[] { "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "ANTHROPIC_MODEL", "CLAUDE_CODE_OAUTH_TOKEN", "CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX" })
        {
            Assert.Contains(name, _harness.CredentialVariables);
        }

        Assert.DoesNotContain(_harness.CredentialVariables, name => name.StartsWith("OPENAI", StringComparison.Ordinal));
        Assert.IsType<ClaudeStreamJsonParser>(_harness.CreateParser());
    }

    private static AgentTurn Turn(string prompt) => new() { Harness = "claude", Prompt = prompt };
}
