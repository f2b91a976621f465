namespace Cerver.Relay.Configuration;

/// <summary>Where everything lives under <c>CERVER_HOME</c> (SPEC section 2).</summary>
public sealed record RelayPaths(string CerverHome)
{
    public string EnvFile => Path.Combine(CerverHome, "cerver.env");
    public string BinDirectory => Path.Combine(CerverHome, "bin");
    public string VersionsDirectory => Path.Combine(CerverHome, "versions");
    public string RelayDirectory => Path.Combine(CerverHome, "relay");
    public string ConfigFile => Path.Combine(RelayDirectory, "config.json");
    public string Database => Path.Combine(RelayDirectory, "relay.db");
    public string TokenFile => Path.Combine(RelayDirectory, "local.token");
    public string IdentityFile => Path.Combine(RelayDirectory, "identity.json");

    /// <summary>The gateway this relay registered with and the compute id it was given.</summary>
    public string LinkFile => Path.Combine(RelayDirectory, "link.json");
    public string SandboxesDirectory => Path.Combine(RelayDirectory, "sandboxes");
    public string LogsDirectory => Path.Combine(RelayDirectory, "logs");
}
