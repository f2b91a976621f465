using System.Net;

namespace Cerver.Relay.Configuration;

/// <summary>The relay's resolved settings: flags over environment over <c>cerver.env</c> over <c>config.json</c> over defaults.</summary>
public sealed record RelaySettings
{
    public const int DefaultPort = 8790;
    public const int DefaultMaxSandboxes = 64;

    /// <summary>The hosted Cerver gateway, used when <c>CERVER_GATEWAY_URL</c> names none.</summary>
    public static readonly Uri DefaultGatewayUrl = new("https://api.cerver.ai");

    public required RelayPaths Paths { get; init; }
    public int Port { get; init; } = DefaultPort;
    public string Listen { get; init; } = "127.0.0.1";
    public string Isolation { get; init; } = "auto";
    /// <summary>The gateway as configured (<c>CERVER_GATEWAY_URL</c>); null when none is.</summary>
    public string? GatewayUrl { get; init; }
    public string? ApiKey { get; init; }
    public bool AutoUpdate { get; init; } = true;
    public string? UpdateRepo { get; init; }
    public string? GitHubApiUrl { get; init; }

    /// <summary><c>CERVER_SERVICE</c>: set by the systemd unit or LaunchAgent, so the daemon knows something restarts it after an update.</summary>
    public string? ServiceManager { get; init; }
    public bool Offline { get; init; }
    public int MaxSandboxes { get; init; } = DefaultMaxSandboxes;

    /// <summary>The bounds of every sandbox (<c>CERVER_SANDBOX_MEMORY_MB</c>, <c>_PROCESSES</c>, <c>_DISK_MB</c>, <c>_FILE_MB</c>, <c>_OPEN_FILES</c>).</summary>
    public Compute.Isolation.ResourceLimits SandboxLimits { get; init; } = Compute.Isolation.ResourceLimits.Default;

    /// <summary>Agent turns (<c>CERVER_AGENT_TURN_TIMEOUT</c>, <c>_STALL_TIMEOUT</c>, <c>CERVER_MAX_AGENT_TURNS</c>, <c>CERVER_MAX_AGENTS</c>, <c>CERVER_AGENT_PATH</c>).</summary>
    public Compute.Agents.AgentOptions Agents { get; init; } = new();
    public long MaxRequestBodyBytes { get; init; } = 16 * 1024 * 1024;
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often this relay heartbeats to its gateway, and how often the relays of this gateway must.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The polling interval this machine, as a gateway, asks logging-in relays to keep.</summary>
    public int DevicePollIntervalSeconds { get; init; } = 5;

    /// <summary>The gateway this relay logs in to and registers with.</summary>
    /// <summary>Whether the key was read from <c>cerver.env</c>, where <c>logout</c> removes it (not from the environment).</summary>
    public bool ApiKeyFromEnvFile { get; init; }

    public Uri Gateway => GatewayUrl is null ? DefaultGatewayUrl : new Uri(GatewayUrl);

    /// <summary>The address to dial this daemon on (a wildcard listen address is reached through loopback).</summary>
    public Uri LocalUrl
    {
        get
        {
            var host = Listen switch
            {
                "0.0.0.0" or "localhost" => "127.0.0.1",
                "::" or "[::]" => "[::1]",
                _ when IPAddress.TryParse(Listen, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 => $"[{address}]",
                _ => Listen,
            };
            return new Uri($"http://{host}:{Port}");
        }
    }
}
