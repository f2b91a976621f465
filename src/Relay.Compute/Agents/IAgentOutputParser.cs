namespace Cerver.Relay.Compute.Agents;

/// <summary>
/// Reads one turn's standard output, a line at a time, into events. Lines it does not know
/// are skipped, never fatal: CLIs add event types between versions.
/// </summary>
public interface IAgentOutputParser
{
    IEnumerable<AgentEvent> Parse(string line);

    /// <summary>
    /// A failure the CLI reported in its own output (an API error, a refused model), to tell the
    /// reader when the turn ends badly; null when it reported none.
    /// </summary>
    string? ReportedError { get; }
}
