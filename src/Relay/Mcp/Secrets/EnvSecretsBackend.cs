namespace Cerver.Relay.Mcp.Secrets;

/// <summary>The default backend: the MCP server's own environment, as its client configured it.</summary>
public sealed class EnvSecretsBackend : ISecretsBackend
{
    public string Name => "env";

    public string? Find(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
