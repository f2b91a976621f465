namespace Cerver.Relay.Compute.Agents;

/// <summary>
/// One coding-agent CLI (Claude Code, Codex, …) as the relay drives it: how to find it, the
/// command line of a first and of a resumed turn, the credentials it may see, and how to read
/// what it prints. Adding an agent is one new harness and its tests; nothing else changes.
/// </summary>
public interface IAgentHarness
{
    /// <summary>The <c>cli_tool</c> name sessions use: <c>claude</c>, <c>codex</c>.</summary>
    string Name { get; }

    /// <summary>Other names a caller may use for it (<c>claude-code</c>).</summary>
    IReadOnlyList<string> Aliases { get; }

    /// <summary>The executable looked up on PATH and in the usual user install folders.</summary>
    string Executable { get; }

    /// <summary>How a person installs it, for the messages that say it is missing.</summary>
    string InstallCommand { get; }

    /// <summary>
    /// Variables of the daemon's environment (or <c>relay/agents.env</c>) that reach this
    /// harness's processes and no other: its API keys and endpoints.
    /// </summary>
    IReadOnlyList<string> CredentialVariables { get; }

    /// <summary>
    /// A subscription login's files, relative to the user's home (<c>.claude/.credentials.json</c>),
    /// each with the name it gets in the harness's state folder. Copied there for each turn.
    /// </summary>
    IReadOnlyList<AgentCredentialFile> CredentialFiles { get; }

    /// <summary>
    /// The variable that points the CLI at its own state folder (<c>CLAUDE_CONFIG_DIR</c>,
    /// <c>CODEX_HOME</c>): the relay gives each sandbox one outside its workspace, so a plain
    /// run never sees the agent's credentials, and resumed turns find their thread.
    /// </summary>
    string StateDirectoryVariable { get; }

    /// <summary>The process of one turn, run with the workspace as its working directory.</summary>
    AgentLaunch BuildLaunch(AgentTurn turn, AgentTurnContext context);

    /// <summary>A fresh parser for one turn's standard output, line by line.</summary>
    IAgentOutputParser CreateParser();
}

/// <summary>A credential file of a subscription login: where it is under the home, and its name in the state folder.</summary>
public sealed record AgentCredentialFile(string HomeRelativePath, string StateRelativePath);

/// <summary>
/// Where a turn runs, as its process sees it: the workspace (its working directory and home),
/// the harness's state folder, the executable the locator found, and the variables the process
/// gets besides the sandbox's own (this harness's credential variables, then the session's).
/// A harness reads those when its CLI takes an endpoint only as an argument (Codex ignores
/// <c>OPENAI_BASE_URL</c> in its environment); null when there are none.
/// </summary>
public sealed record AgentTurnContext(string Executable, string Workspace, string StateDirectory, IReadOnlyDictionary<string, string>? Variables = null);

/// <summary>What a harness asks to run: arguments after the executable, optional stdin, extra variables.</summary>
public sealed record AgentLaunch(IReadOnlyList<string> Arguments, string? Stdin, IReadOnlyDictionary<string, string> Environment);
