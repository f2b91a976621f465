namespace Cerver.Relay.Compute.Agents;

/// <summary>The harnesses this relay knows, found by name or alias (case-insensitive).</summary>
public sealed class AgentHarnesses(IEnumerable<IAgentHarness> harnesses)
{
    /// <summary>Every agent this relay runs; a new one is its harness class and one line here.</summary>
    public static AgentHarnesses BuiltIn() => new([new Claude.ClaudeHarness(), new Codex.CodexHarness()]);

    private readonly IReadOnlyList<IAgentHarness> _all = [.. harnesses];

    public IReadOnlyList<IAgentHarness> All => _all;

    public IAgentHarness? Find(string? name) =>
        name is null ? null : _all.FirstOrDefault(harness =>
            string.Equals(harness.Name, name, StringComparison.OrdinalIgnoreCase)
            || harness.Aliases.Any(alias => string.Equals(alias, name, StringComparison.OrdinalIgnoreCase)));

    public string Names => string.Join(", ", _all.Select(harness => harness.Name));
}
