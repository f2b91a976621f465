using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Agents.Codex;

namespace Cerver.Relay.Compute.Tests.Agents.Codex;

public sealed class CodexHarnessTests
{
    private const string ThreadId = "01a24b2b-2f32-7ac1-80af-7c5f9e7de56c";
    private static readonly string[] Fixed = ["--json", "--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox"];

    private readonly CodexHarness _harness = new();

    [Fact]
    public void A_first_turn_is_exec_with_the_prompt_on_stdin()
    {
        var launch = Launch(new AgentTurn { Harness = "codex", Prompt = "fix the build" });

        Assert.Equal(["exec", .. Fixed, "-"], launch.Arguments);
        Assert.Equal("fix the build", launch.Stdin);
        Assert.Empty(launch.Environment);
    }

    [Fact]
    public void A_next_turn_resumes_the_thread_by_id()
    {
        var launch = Launch(new AgentTurn { Harness = "codex", Prompt = "and the tests", CliSessionId = ThreadId });

        Assert.Equal(["exec", "resume", ThreadId, .. Fixed, "-"], launch.Arguments);
        Assert.Equal("and the tests", launch.Stdin);
    }

    [Fact]
    public void The_model_and_the_instructions_are_config_values_quoted_as_toml()
    {
        var launch = Launch(new AgentTurn { Harness = "codex", Prompt = "p", Model = "gpt-5.5", SystemPrompt = "Say \"hi\".\nThen stop." });

        var config = Config(launch);
        Assert.Equal("\"gpt-5.5\"", config["model"]);
        Assert.Equal("\"Say \\\"hi\\\".\\nThen stop.\"", config["developer_instructions"]);
        Assert.Equal("-", launch.Arguments[^1]);
    }

    [Fact]
    public void A_base_url_and_a_key_make_a_provider_that_reads_the_key_by_name()
    {
        var launch = Launch(new AgentTurn { Harness = "codex", Prompt = "p" },
            new Dictionary<string, string> { ["OPENAI_BASE_URL"] = "http://127.0.0.1:8080/v1/", ["OPENAI_API_KEY"] = "sk-secret" });

        var config = Config(launch);
        Assert.Equal("\"cerver\"", config["model_provider"]);
        Assert.Equal("\"http://127.0.0.1:8080/v1\"", config["model_providers.cerver.base_url"]);
        Assert.Equal("\"responses\"", config["model_providers.cerver.wire_api"]);
        Assert.Equal("\"OPENAI_API_KEY\"", config["model_providers.cerver.env_key"]);
        Assert.DoesNotContain(launch.Arguments, argument => argument.Contains("sk-secret", StringComparison.Ordinal));
    }

    [Fact]
    public void The_session_s_own_base_url_wins_over_the_relay_s()
    {
        var launch = Launch(new AgentTurn { Harness = "codex", Prompt = "p", Env = new Dictionary<string, string> { ["OPENAI_BASE_URL"] = "http://session/v1" } },
            new Dictionary<string, string> { ["OPENAI_BASE_URL"] = "http://relay/v1", ["OPENAI_API_KEY"] = "k" });

        Assert.Equal("\"http://session/v1\"", Config(launch)["model_providers.cerver.base_url"]);
    }

    [Fact]
    public void An_openai_key_alone_goes_to_api_openai_com_through_the_same_provider()
    {
        var config = Config(Launch(new AgentTurn { Harness = "codex", Prompt = "p" }, new Dictionary<string, string> { ["OPENAI_API_KEY"] = "k" }));

        Assert.Equal("\"https://api.openai.com/v1\"", config["model_providers.cerver.base_url"]);
        Assert.Equal("\"OPENAI_API_KEY\"", config["model_providers.cerver.env_key"]);
    }

    [Fact]
    public void A_codex_key_alone_keeps_codex_s_own_provider_which_reads_it()
    {
        var launch = Launch(new AgentTurn { Harness = "codex", Prompt = "p" }, new Dictionary<string, string> { ["CODEX_API_KEY"] = "k" });

        Assert.Equal(["exec", .. Fixed, "-"], launch.Arguments);
    }

    [Fact]
    public void A_codex_key_with_a_base_url_is_the_provider_s_key()
    {
        var config = Config(Launch(new AgentTurn { Harness = "codex", Prompt = "p" },
            new Dictionary<string, string> { ["OPENAI_BASE_URL"] = "http://local/v1", ["CODEX_API_KEY"] = "k" }));

        Assert.Equal("\"CODEX_API_KEY\"", config["model_providers.cerver.env_key"]);
    }

    [Fact]
    public void A_base_url_without_a_key_sends_no_key()
    {
        var config = Config(Launch(new AgentTurn { Harness = "codex", Prompt = "p" },
            new Dictionary<string, string> { ["OPENAI_BASE_URL"] = "http://local/v1", ["OPENAI_API_KEY"] = "" }));

        Assert.Equal("\"http://local/v1\"", config["model_providers.cerver.base_url"]);
        Assert.False(config.ContainsKey("model_providers.cerver.env_key"));
    }

    [Theory]
    [InlineData("true", "\"true\"")]
    [InlineData("[a]", "\"[a]\"")]
    [InlineData(@"C:\dir", @"""C:\\dir""")]
    [InlineData("tab\there", "\"tab\\there\"")]
    [InlineData("bell\u0007", "\"bell\\u0007\"")]
    [InlineData("ünïcødé ✓", "\"ünïcødé ✓\"")]
    public void Toml_strings_keep_their_type_and_their_text(string value, string toml) =>
        Assert.Equal(toml, CodexHarness.TomlString(value));

    [Fact]
    public void It_declares_its_credentials_and_its_state_folder()
    {
        Assert.Equal("codex", _harness.Name);
        Assert.Equal("codex", _harness.Executable);
        Assert.Equal("CODEX_HOME", _harness.StateDirectoryVariable);
        Assert.Equal(["OPENAI_API_KEY", "OPENAI_BASE_URL", "CODEX_API_KEY"], _harness.CredentialVariables);
        Assert.Equal([new AgentCredentialFile(".codex/auth.json", "auth.json")], _harness.CredentialFiles);
        Assert.Same(_harness, new AgentHarnesses([_harness]).Find("Codex-CLI"));
        Assert.IsType<CodexJsonParser>(_harness.CreateParser());
    }

    private AgentLaunch Launch(AgentTurn turn, IReadOnlyDictionary<string, string>? variables = null) =>
        _harness.BuildLaunch(turn, new AgentTurnContext("/opt/codex/bin/codex", "/w", "/w.agent/codex", variables));

    /// <summary>The <c>-c key=value</c> pairs of a launch.</summary>
    private static Dictionary<string, string> Config(AgentLaunch launch)
    {
        var config = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var index = 0; index < launch.Arguments.Count - 1; index++)
        {
            if (launch.Arguments[index] == "-c")
            {
                var pair = launch.Arguments[index + 1];
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                config.Add(pair[..equals], pair[(equals + 1)..]);
            }
        }

        return config;
    }
}
