using System.Net;

namespace Cerver.Relay.Configuration;

/// <summary>The relay's resolved settings: flags over environment over <c>cerver.env</c> over <c>config.json</c> over defaults.</summary>
public sealed record RelaySettings
{
    public const int DefaultPort = 8790;

    public required RelayPaths Paths { get; init; }
    public int Port { get; init; } = DefaultPort;
    public string Listen { get; init; } = "127.0.0.1";
    public string Isolation { get; init; } = "auto";
    public string? GatewayUrl { get; init; }
    public string? ApiKey { get; init; }
    public bool AutoUpdate { get; init; } = true;
    public string? UpdateRepo { get; init; }
    public string? GitHubApiUrl { get; init; }

    /// <summary><c>CERVER_SERVICE</c>: set by the systemd unit or LaunchAgent, so the daemon knows something restarts it after an update.</summary>
    public string? ServiceManager { get; init; }
    public bool Offline { get; init; }
    public long MaxRequestBodyBytes { get; init; } = 16 * 1024 * 1024;
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(10);

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
