using System.Globalization;
using System.Text;

namespace Cerver.Relay.Compute.Agents.Codex;

/// <summary>
/// The Codex CLI (<c>@openai/codex</c>, pinned and proven at 0.171.0): <c>codex exec --json … -</c>
/// with the prompt on stdin, and <c>codex exec resume &lt;thread id&gt; … -</c> from the second turn
/// on. Its threads live under <c>CODEX_HOME</c> (<c>sessions/…/rollout-*.jsonl</c> and SQLite state),
/// so a resumed turn needs the same state folder as the turn that started the thread.
/// </summary>
public sealed class CodexHarness : IAgentHarness
{
    /// <summary>The id of the model provider the harness defines in API mode (see <see cref="ProviderArguments"/>).</summary>
    public const string ApiProviderId = "cerver";

    /// <summary>Where API mode goes when only a key is given.</summary>
    public const string OpenAiBaseUrl = "https://api.openai.com/v1";

    private const string OpenAiApiKey = "OPENAI_API_KEY";
    private const string OpenAiBaseUrlVariable = "OPENAI_BASE_URL";
    private const string CodexApiKey = "CODEX_API_KEY";

    public string Name => "codex";

    public IReadOnlyList<string> Aliases { get; } = ["codex-cli", "openai-codex"];

    public string Executable => "codex";

    public string InstallCommand => "npm install -g @openai/codex";

    public IReadOnlyList<string> CredentialVariables { get; } = [OpenAiApiKey, OpenAiBaseUrlVariable, CodexApiKey];

    public IReadOnlyList<AgentCredentialFile> CredentialFiles { get; } = [new(".codex/auth.json", "auth.json")];

    public string StateDirectoryVariable => "CODEX_HOME";

    public AgentLaunch BuildLaunch(AgentTurn turn, AgentTurnContext context)
    {
        var arguments = new List<string> { "exec" };
        if (turn.CliSessionId is { Length: > 0 } thread)
        {
            arguments.AddRange(["resume", thread]);
        }

        // The relay's sandbox is the wall and a turn has nobody to approve anything. Codex's own
        // sandbox cannot work inside it anyway: it starts bubblewrap (its bundled one, or
        // /usr/bin/bwrap) to make user namespaces, which the relay's seccomp filter refuses
        // ("bwrap: No permissions to create new namespace"), so every command the model ran
        // would fail. Bypassing it is what the flag's own help says it is for: "environments
        // that are externally sandboxed". --skip-git-repo-check because workspaces are not repositories.
        arguments.AddRange(["--json", "--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox"]);
        if (turn.Model is { Length: > 0 } model)
        {
            arguments.AddRange(["-c", "model=" + TomlString(model)]);
        }

        if (turn.SystemPrompt is { Length: > 0 } instructions)
        {
            // Added to the developer message beside Codex's own instructions, which it keeps.
            arguments.AddRange(["-c", "developer_instructions=" + TomlString(instructions)]);
        }

        arguments.AddRange(ProviderArguments(name => Variable(name, turn, context)));

        // "-" reads the prompt from stdin, which the relay writes and closes: a prompt can be
        // as long as it likes and never shows in a process list.
        arguments.Add("-");
        return new AgentLaunch(arguments, turn.Prompt, new Dictionary<string, string>(StringComparer.Ordinal));
    }

    public IAgentOutputParser CreateParser() => new CodexJsonParser();

    /// <summary>
    /// The model provider of the turn. Codex 0.171 takes its endpoint only from config: it ignores
    /// <c>OPENAI_BASE_URL</c> in its environment (its built-in <c>openai</c> provider goes to
    /// api.openai.com regardless) and that built-in provider sends no <c>OPENAI_API_KEY</c>
    /// (it reads <c>CODEX_API_KEY</c> or a login). So when either OpenAI variable is given, the
    /// turn gets a provider of its own: the Responses API at <c>OPENAI_BASE_URL</c> (or
    /// api.openai.com), authenticated by the key variable's name (<c>env_key</c>: the key itself
    /// never appears on the command line). Otherwise Codex's own provider stays, with its
    /// subscription login from <c>auth.json</c> or its own <c>CODEX_API_KEY</c>.
    /// </summary>
    internal static IEnumerable<string> ProviderArguments(Func<string, string?> variable)
    {
        var baseUrl = variable(OpenAiBaseUrlVariable);
        var keyVariable = variable(OpenAiApiKey) is not null ? OpenAiApiKey : variable(CodexApiKey) is not null ? CodexApiKey : null;
        if (baseUrl is null && keyVariable != OpenAiApiKey)
        {
            yield break;
        }

        var prefix = $"model_providers.{ApiProviderId}.";
        yield return "-c";
        yield return "model_provider=" + TomlString(ApiProviderId);
        yield return "-c";
        yield return prefix + "name=" + TomlString("OpenAI Responses API (cerver-relay)");
        yield return "-c";
        yield return prefix + "base_url=" + TomlString((baseUrl ?? OpenAiBaseUrl).TrimEnd('/'));
        yield return "-c";
        yield return prefix + "wire_api=" + TomlString("responses");
        if (keyVariable is not null)
        {
            // Without a key, Codex sends no Authorization header, as a local endpoint may want.
            yield return "-c";
            yield return prefix + "env_key=" + TomlString(keyVariable);
        }
    }

    /// <summary>
    /// A TOML basic string: a <c>-c</c> value that does not parse as TOML is taken as a raw
    /// string, but one that does (<c>true</c>, <c>42</c>, <c>[a]</c>) would change type.
    /// </summary>
    internal static string TomlString(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var character in value)
        {
            switch (character)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append(@"\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                default:
                    if (char.IsControl(character))
                    {
                        builder.Append("\\u").Append(((int)character).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(character);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    /// <summary>A variable as the process will see it: the session's own over the harness's credentials.</summary>
    private static string? Variable(string name, AgentTurn turn, AgentTurnContext context)
    {
        if (turn.Env is not null && turn.Env.TryGetValue(name, out var own) && own.Length > 0)
        {
            return own;
        }

        return context.Variables is not null && context.Variables.TryGetValue(name, out var credential) && credential.Length > 0 ? credential : null;
    }
}
