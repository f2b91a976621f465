using System.Globalization;
using System.Net;
using System.Text.Json;
using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Isolation;

namespace Cerver.Relay.Configuration;

/// <summary>Command-line values that override every other source.</summary>
public sealed record SettingsOverrides(int? Port = null, string? Listen = null, bool Offline = false, string? GatewayUrl = null);

/// <summary>
/// Resolves settings from every source once, at start-up, and says exactly which value is
/// wrong and where it came from when one is.
/// </summary>
public static class RelaySettingsLoader
{
    public static RelaySettings Load(IReadOnlyDictionary<string, string?> environment, SettingsOverrides? overrides = null)
    {
        overrides ??= new SettingsOverrides();
        var home = Value(environment, "CERVER_HOME") is { } configuredHome
            ? Path.GetFullPath(configuredHome)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cerver");
        var paths = new RelayPaths(home);
        var config = Readable(paths.ConfigFile, ReadConfig);
        var envFile = Readable(paths.EnvFile, CerverEnvFile.Read);

        string? Pick(string key) => Value(environment, key) ?? envFile.GetValueOrDefault(key) ?? config.GetValueOrDefault(key);

        var port = overrides.Port ?? ParsePort(Pick("CERVER_RELAY_PORT"));
        var listen = overrides.Listen ?? Pick("CERVER_RELAY_LISTEN") ?? "127.0.0.1";
        if (listen != "localhost" && !IPAddress.TryParse(listen.Trim('[', ']'), out _))
        {
            throw new SettingsException($"CERVER_RELAY_LISTEN must be an IP address or 'localhost', not '{listen}'.");
        }

        var isolation = (Pick("CERVER_ISOLATION") ?? "auto").ToLowerInvariant();
        if (isolation is not ("auto" or "bubblewrap" or "bwrap" or "seatbelt" or "none"))
        {
            throw new SettingsException($"CERVER_ISOLATION must be auto, bubblewrap, seatbelt or none, not '{isolation}'.");
        }

        var gatewayUrl = overrides.GatewayUrl ?? Pick("CERVER_GATEWAY_URL");
        if (gatewayUrl is not null && !(Uri.TryCreate(gatewayUrl, UriKind.Absolute, out var gateway) && gateway.Scheme is "http" or "https"))
        {
            throw new SettingsException($"CERVER_GATEWAY_URL must be an http(s) URL such as https://api.cerver.ai, not '{gatewayUrl}'.");
        }

        var updateRepo = Pick("CERVER_UPDATE_REPO");
        if (updateRepo is not null && (updateRepo.Split('/') is not [{ Length: > 0 }, { Length: > 0 }] || updateRepo.Any(char.IsWhiteSpace)))
        {
            throw new SettingsException($"CERVER_UPDATE_REPO must name a GitHub repository as owner/name, not '{updateRepo}'.");
        }

        var gitHubApiUrl = Pick("CERVER_GITHUB_API_URL");
        if (gitHubApiUrl is not null && (!Uri.TryCreate(gitHubApiUrl, UriKind.Absolute, out var apiUri) || apiUri.Scheme is not ("http" or "https")))
        {
            throw new SettingsException($"CERVER_GITHUB_API_URL must be an http(s) URL such as https://api.github.com, not '{gitHubApiUrl}'.");
        }

        return new RelaySettings
        {
            Paths = paths,
            Port = port,
            Listen = listen,
            Isolation = isolation,
            GatewayUrl = gatewayUrl?.TrimEnd('/'),
            ApiKey = Pick("CERVER_API_KEY"),
            ApiKeyFromEnvFile = Value(environment, "CERVER_API_KEY") is null && envFile.ContainsKey("CERVER_API_KEY"),
            AutoUpdate = Pick("CERVER_AUTO_UPDATE") is not ("0" or "false" or "no" or "off"),
            // The release build carries the repository it was published from (publish.sh --repo).
            UpdateRepo = updateRepo ?? Update.UpdateSource.BuiltInRepository,
            GitHubApiUrl = gitHubApiUrl,
            ServiceManager = Value(environment, "CERVER_SERVICE"),
            Offline = overrides.Offline,
            MaxSandboxes = ParseMaxSandboxes(Pick("CERVER_MAX_SANDBOXES")),
            HeartbeatInterval = TimeSpan.FromSeconds(Seconds(Pick("CERVER_HEARTBEAT_SECONDS"), "CERVER_HEARTBEAT_SECONDS", 60, 3600)),
            DevicePollIntervalSeconds = Seconds(Pick("CERVER_DEVICE_INTERVAL_SECONDS"), "CERVER_DEVICE_INTERVAL_SECONDS", 5, 60),
            SandboxLimits = new ResourceLimits
            {
                MemoryBytes = Megabytes(Pick("CERVER_SANDBOX_MEMORY_MB"), "CERVER_SANDBOX_MEMORY_MB", ResourceLimits.Default.MemoryBytes, 64),
                Processes = Count(Pick("CERVER_SANDBOX_PROCESSES"), "CERVER_SANDBOX_PROCESSES", ResourceLimits.Default.Processes, 16, 65_536),
                WorkspaceBytes = Megabytes(Pick("CERVER_SANDBOX_DISK_MB"), "CERVER_SANDBOX_DISK_MB", ResourceLimits.Default.WorkspaceBytes, 1),
                FileSizeBytes = Megabytes(Pick("CERVER_SANDBOX_FILE_MB"), "CERVER_SANDBOX_FILE_MB", ResourceLimits.Default.FileSizeBytes, 1),
                TemporaryBytes = Megabytes(Pick("CERVER_SANDBOX_TMP_MB"), "CERVER_SANDBOX_TMP_MB", ResourceLimits.Default.TemporaryBytes, 1),
                OpenFiles = Count(Pick("CERVER_SANDBOX_OPEN_FILES"), "CERVER_SANDBOX_OPEN_FILES", ResourceLimits.Default.OpenFiles, 64, 1_048_576),
            },
            Agents = new AgentOptions
            {
                TurnTimeout = TimeSpan.FromSeconds(Seconds(Pick("CERVER_AGENT_TURN_TIMEOUT"), "CERVER_AGENT_TURN_TIMEOUT", (int)Defaults.TurnTimeout.TotalSeconds, 24 * 3600)),
                StallTimeout = TimeSpan.FromSeconds(Seconds(Pick("CERVER_AGENT_STALL_TIMEOUT"), "CERVER_AGENT_STALL_TIMEOUT", (int)Defaults.StallTimeout.TotalSeconds, 24 * 3600)),
                MaxConcurrentTurns = Count(Pick("CERVER_MAX_AGENT_TURNS"), "CERVER_MAX_AGENT_TURNS", Defaults.MaxConcurrentTurns, 1, 256),
                MaxSessions = Count(Pick("CERVER_MAX_AGENTS"), "CERVER_MAX_AGENTS", Defaults.MaxSessions, 1, 1024),
                SearchPath = Pick("CERVER_AGENT_PATH"),
            },
        };
    }

    private static readonly AgentOptions Defaults = new();

    public static IReadOnlyDictionary<string, string?> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(entry => (string)entry.Key, entry => (string?)entry.Value, StringComparer.Ordinal);

    private static int ParsePort(string? value)
    {
        if (value is null)
        {
            return RelaySettings.DefaultPort;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 0 and <= 65535
            ? port
            : throw new SettingsException($"CERVER_RELAY_PORT must be a port number (0–65535), not '{value}'.");
    }

    private static int ParseMaxSandboxes(string? value) =>
        value is null ? RelaySettings.DefaultMaxSandboxes
        : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var max) && max is >= 1 and <= 4096 ? max
        : throw new SettingsException($"CERVER_MAX_SANDBOXES must be a number from 1 to 4096, not '{value}'.");

    /// <summary>A size in MiB, from <paramref name="min"/> MiB to 1 TiB.</summary>
    private static long Megabytes(string? value, string name, long fallbackBytes, long min)
    {
        const long max = 1024 * 1024;
        if (value is null)
        {
            return fallbackBytes;
        }

        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var megabytes) && megabytes >= min && megabytes <= max
            ? megabytes * 1024 * 1024
            : throw new SettingsException($"{name} must be a whole number of MiB from {min} to {max}, not '{value}'.");
    }

    private static int Count(string? value, string name, int fallback, int min, int max)
    {
        if (value is null)
        {
            return fallback;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= min && count <= max
            ? count
            : throw new SettingsException($"{name} must be a whole number from {min} to {max}, not '{value}'.");
    }

    private static int Seconds(string? value, string name, int fallback, int max)
    {
        if (value is null)
        {
            return fallback;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds >= 1 && seconds <= max
            ? seconds
            : throw new SettingsException($"{name} must be a whole number of seconds from 1 to {max}, not '{value}'.");
    }

    private static string? Value(IReadOnlyDictionary<string, string?> environment, string key) =>
        environment.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    /// <summary>Reads <c>config.json</c>: an object whose keys are the environment variable names.</summary>
    /// <summary>Reads one settings file, turning a file the relay may not read into the sentence that says how to fix it.</summary>
    private static T Readable<T>(string path, Func<string, T> read)
    {
        try
        {
            return read(path);
        }
        catch (Exception exception) when (exception is UnauthorizedAccessException or IOException)
        {
            throw new SettingsException(Directory.Exists(path)
                ? $"{path} is a folder, not a settings file; remove it."
                : $"cannot read {path} ({exception.Message.TrimEnd('.')}); make it readable by the user the relay runs as (chmod 600 {path}) or remove it.");
        }
    }

    private static Dictionary<string, string> ReadConfig(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return values;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new SettingsException($"{path} must hold a JSON object like {{\"CERVER_RELAY_PORT\": 8790}}.");
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                values[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText() switch
                    {
                        "true" => "1",
                        "false" => "0",
                        var raw => raw,
                    },
                    _ => throw new SettingsException($"{path}: '{property.Name}' must be a string, number or boolean."),
                };
            }
        }
        catch (JsonException exception)
        {
            throw new SettingsException($"{path} is not valid JSON (line {exception.LineNumber + 1}): fix or remove it.");
        }

        return values;
    }
}

/// <summary>A setting that cannot be used; the message says which and how to fix it.</summary>
public sealed class SettingsException(string message) : Exception(message);
