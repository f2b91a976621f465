namespace Cerver.Relay.Mcp.Secrets;

/// <summary>Where <c>secret_fetch</c> reads app secrets from. A value is handed to the caller and never kept, logged or written.</summary>
public interface ISecretsBackend
{
    /// <summary>The name <c>CERVER_SECRETS_BACKEND</c> selects it by.</summary>
    string Name { get; }

    /// <summary>The secret's value, or null when this backend has no secret of that name.</summary>
    string? Find(string name);
}
