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

    /// <summary>Held (an OS lock, gone with the process) by the one daemon of this home.</summary>
    public string LockFile => Path.Combine(RelayDirectory, "daemon.lock");

    /// <summary>The running daemon's URL, pid, version and start time, for the CLI to find it.</summary>
    public string RuntimeFile => Path.Combine(RelayDirectory, "daemon.json");
}
