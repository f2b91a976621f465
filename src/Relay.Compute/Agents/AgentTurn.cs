namespace Cerver.Relay.Compute.Agents;

/// <summary>
/// One turn of an agent, as the session layer asks for it: the prompt, the CLI's own session
/// id to resume (null on a first turn), and the session's choices of model and instructions.
/// </summary>
public sealed record AgentTurn
{
    public required string Harness { get; init; }

    public required string Prompt { get; init; }

    /// <summary>The CLI's own thread id from an earlier turn; null starts a new thread.</summary>
    public string? CliSessionId { get; init; }

    public string? Model { get; init; }

    /// <summary>Instructions appended to the agent's system prompt (a session's <c>agents_md</c>).</summary>
    public string? SystemPrompt { get; init; }

    /// <summary>The session's own variables for the agent process (never the relay's).</summary>
    public IReadOnlyDictionary<string, string>? Env { get; init; }

    /// <summary>A turn that runs longer is killed with its whole process tree; null takes the relay's setting.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>A turn that prints nothing for this long is killed; null takes the relay's setting.</summary>
    public TimeSpan? StallTimeout { get; init; }
}
