using System.Collections.Frozen;

namespace Cerver.Relay.Compute.Agents.Claude;

/// <summary>
/// Claude Code (<c>@anthropic-ai/claude-code</c>): one <c>claude -p</c> run per turn, printing
/// stream-json, resumed by the session id its first run reported.
/// </summary>
public sealed class ClaudeHarness : IAgentHarness
{
    private static readonly IReadOnlyDictionary<string, string> TurnEnvironment = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // Claude Code refuses to bypass permissions as root unless told it is in a sandbox, and
        // a relay running as root (a server, a container) is common; the sandbox is real.
        ["IS_SANDBOX"] = "1",

        // A turn talks to its model endpoint and nothing else: no telemetry, error reporting,
        // update checks or connectivity probes (checked: with it, a turn resolves no host at all).
        ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1",
        ["DISABLE_AUTOUPDATER"] = "1",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public string Name => "claude";

    public IReadOnlyList<string> Aliases { get; } = ["claude-code", "claude_code", "claudecode"];

    public string Executable => "claude";

    public string InstallCommand => "npm install -g @anthropic-ai/claude-code";

    /// <summary>
    /// The first-party API (key, OAuth token of <c>claude setup-token</c>, endpoint and models), and
    /// the switches and credentials of Bedrock, Vertex and Foundry. Variables naming a file
    /// (<c>AWS_PROFILE</c>, <c>GOOGLE_APPLICATION_CREDENTIALS</c>) are left out: the sandbox cannot see the file.
    /// </summary>
    public IReadOnlyList<string> CredentialVariables { get; } =
    [
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
        "ANTHROPIC_BASE_URL",
        "ANTHROPIC_CUSTOM_HEADERS",
        "ANTHROPIC_MODEL",
        "ANTHROPIC_SMALL_FAST_MODEL",
        "ANTHROPIC_DEFAULT_OPUS_MODEL",
        "ANTHROPIC_DEFAULT_SONNET_MODEL",
        "ANTHROPIC_DEFAULT_HAIKU_MODEL",
        "CLAUDE_CODE_OAUTH_TOKEN",
        "CLAUDE_CODE_USE_BEDROCK",
        "ANTHROPIC_BEDROCK_BASE_URL",
        "AWS_BEARER_TOKEN_BEDROCK",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "CLAUDE_CODE_SKIP_BEDROCK_AUTH",
        "CLAUDE_CODE_USE_VERTEX",
        "ANTHROPIC_VERTEX_PROJECT_ID",
        "ANTHROPIC_VERTEX_BASE_URL",
        "CLOUD_ML_REGION",
        "CLAUDE_CODE_SKIP_VERTEX_AUTH",
        "CLAUDE_CODE_USE_FOUNDRY",
        "ANTHROPIC_FOUNDRY_API_KEY",
        "ANTHROPIC_FOUNDRY_BASE_URL",
        "ANTHROPIC_FOUNDRY_RESOURCE",
    ];

    public IReadOnlyList<AgentCredentialFile> CredentialFiles { get; } = [new(".claude/.credentials.json", ".credentials.json")];

    /// <summary>With it set, Claude Code keeps everything (<c>.claude.json</c> included) there and writes nothing to the home.</summary>
    public string StateDirectoryVariable => "CLAUDE_CONFIG_DIR";

    public AgentLaunch BuildLaunch(AgentTurn turn, AgentTurnContext context)
    {
        // The prompt goes on stdin, which `claude -p` reads to its end when no prompt argument is
        // given: a prompt of megabytes fits (one argument may hold 128 KiB), and a prompt that
        // starts with '-' is never taken for an option.
        //
        // bypassPermissions: the turn is non-interactive, so whatever would ask is denied instead
        // (the default mode refuses even `echo hi > f.txt` in the workspace) and the agent could not
        // do its work; the sandbox around the process is the wall, not Claude Code's prompts. The
        // long-standing mode flag, rather than newer ones, keeps older installed CLIs working.
        List<string> arguments = ["-p", "--output-format", "stream-json", "--verbose", "--permission-mode", "bypassPermissions"];

        // Values ride in the same argument as their option: --resume takes an optional value,
        // so a separate one starting with '-' would be read as an option of its own.
        if (turn.CliSessionId is { Length: > 0 } session)
        {
            arguments.Add($"--resume={session}");
        }

        if (turn.Model is { Length: > 0 } model)
        {
            arguments.Add($"--model={model}");
        }

        if (turn.SystemPrompt is { Length: > 0 } instructions)
        {
            arguments.Add($"--append-system-prompt={instructions}");
        }

        return new AgentLaunch(arguments, turn.Prompt, TurnEnvironment);
    }

    public IAgentOutputParser CreateParser() => new ClaudeStreamJsonParser();
}
