namespace Cerver.Relay.Mcp.Secrets;

/// <summary>The secrets backends this relay knows, selected by <c>CERVER_SECRETS_BACKEND</c> (default <c>env</c>).</summary>
public static class SecretsBackends
{
    public const string Variable = "CERVER_SECRETS_BACKEND";

    private static readonly ISecretsBackend[] Known = [new EnvSecretsBackend()];

    /// <summary>The backend the setting names, or a <see cref="McpToolException"/> naming the known ones.</summary>
    public static ISecretsBackend Select(string? setting)
    {
        var name = string.IsNullOrWhiteSpace(setting) ? "env" : setting.Trim();
        return Known.FirstOrDefault(backend => backend.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            ?? throw new McpToolException($"{Variable}='{(name.Length > 40 ? name[..40] + "…" : name)}' is not a secrets backend this relay knows; the known backends are: {string.Join(", ", Known.Select(backend => backend.Name))}.");
    }

    /// <summary>The backend of this process's environment, read on each call so a changed setting needs no restart of the daemon's tools.</summary>
    public static ISecretsBackend FromEnvironment() => Select(Environment.GetEnvironmentVariable(Variable));
}
