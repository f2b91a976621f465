using System.Text.RegularExpressions;
using Cerver.Relay.Mcp.Secrets;
using ModelContextProtocol.Protocol;

namespace Cerver.Relay.Mcp.Tools;

/// <summary>
/// secret_fetch: an app secret from the selected backend (<c>CERVER_SECRETS_BACKEND</c>, default
/// the server's environment). A rejected name is never repeated back (it may be a pasted secret);
/// a value is returned to the caller only, never logged or stored. The relay's own settings and
/// keys (<c>CERVER_*</c>) are not app secrets and are never handed out.
/// </summary>
public sealed partial class SecretFetchTool : IMcpTool
{
    private const string ReservedPrefix = "CERVER_";

    public Tool Definition { get; } = ToolSchemas.Define("secret_fetch",
        "Fetch an app secret (an API key, a password) by name from the relay's secrets backend (CERVER_SECRETS_BACKEND, default: the MCP server's environment). Names starting with CERVER_ are the relay's own settings and are refused.",
        """
        {
          "type": "object",
          "properties": {
            "name": { "type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,255}$", "description": "The secret's name: letters, digits and underscores, not starting with a digit, at most 256 characters." }
          },
          "required": ["name"],
          "additionalProperties": false
        }
        """);

    public Task<CallToolResult> CallAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var name = arguments.RequiredString("name");
        if (!SecretName().IsMatch(name))
        {
            throw new McpToolException("The secret name must be letters, digits and underscores, not starting with a digit, at most 256 characters (^[A-Za-z_][A-Za-z0-9_]{0,255}$).");
        }

        if (name.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase))
        {
            throw new McpToolException($"Secret {name} is refused: names starting with {ReservedPrefix} are the relay's own configuration and keys, not app secrets.");
        }

        var backend = SecretsBackends.FromEnvironment();
        var value = backend.Find(name) ?? throw new McpToolException($"Secret {name} is not set in the MCP server's environment (backend {backend.Name}).");
        return Task.FromResult(ToolResults.Text(value));
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,255}\z", RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();
}
