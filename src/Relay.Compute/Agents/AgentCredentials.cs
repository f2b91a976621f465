using Cerver.Relay.Compute.Storage;

namespace Cerver.Relay.Compute.Agents;

/// <summary>
/// What an agent may log in with: the API-mode variables of the daemon's own environment, over
/// <c>relay/agents.env</c> (0600, <c>NAME=value</c> lines), and the subscription login's files
/// in the user's home. A harness gets only what it declares, so an Anthropic key never reaches
/// Codex, and nothing reaches a plain run.
/// </summary>
public sealed class AgentCredentials(string agentsEnvPath, string? home = null, Func<string, string?>? environment = null)
{
    private readonly Func<string, string?> _environment = environment ?? Environment.GetEnvironmentVariable;
    private readonly string _home = home ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    public string FilePath => agentsEnvPath;

    /// <summary>The subscription login files of the harness that exist here, each with its name in the state folder.</summary>
    public IEnumerable<(string Source, string StateRelativePath)> Files(IAgentHarness harness) =>
        harness.CredentialFiles
            .Select(file => (Source: Path.Combine(_home, file.HomeRelativePath), file.StateRelativePath))
            .Where(file => File.Exists(file.Source));

    /// <summary>Whether the harness has something to log in with: an API variable or a subscription login.</summary>
    public bool HasLogin(IAgentHarness harness) => Variables(harness).Count > 0 || Files(harness).Any();

    public IReadOnlyDictionary<string, string> Variables(IAgentHarness harness)
    {
        var file = ReadFile();
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in harness.CredentialVariables)
        {
            if (_environment(name) is { Length: > 0 } fromEnvironment)
            {
                variables[name] = fromEnvironment;
            }
            else if (file.TryGetValue(name, out var fromFile) && fromFile.Length > 0)
            {
                variables[name] = fromFile;
            }
        }

        return variables;
    }

    private Dictionary<string, string> ReadFile()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(agentsEnvPath))
        {
            return values;
        }

        // A key file anyone can read is a leak waiting to happen: tighten it rather than refuse it.
        FilePermissions.RestrictToOwner(agentsEnvPath);
        foreach (var line in File.ReadLines(agentsEnvPath))
        {
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            var equals = trimmed.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                var name = trimmed[..equals].Trim();
                if (name.StartsWith("export ", StringComparison.Ordinal))
                {
                    name = name["export ".Length..].Trim();
                }

                values[name] = Unquote(trimmed[(equals + 1)..].Trim());
            }
        }

        return values;
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '"' && value[^1] == '"' || value[0] == '\'' && value[^1] == '\'') ? value[1..^1] : value;
}
