namespace Cerver.Relay.Compute.Agents;

/// <summary>The harnesses this relay knows, found by name or alias (case-insensitive).</summary>
public sealed class AgentHarnesses(IEnumerable<IAgentHarness> harnesses)
{
    private readonly IReadOnlyList<IAgentHarness> _all = [.. harnesses];

    public IReadOnlyList<IAgentHarness> All => _all;

    public IAgentHarness? Find(string? name) =>
        name is null ? null : _all.FirstOrDefault(harness =>
            string.Equals(harness.Name, name, StringComparison.OrdinalIgnoreCase)
            || harness.Aliases.Any(alias => string.Equals(alias, name, StringComparison.OrdinalIgnoreCase)));

    public string Names => string.Join(", ", _all.Select(harness => harness.Name));
}
