using System.Text.Json;
using Cerver.Relay.Compute.Storage;
using Cerver.Relay.Configuration;

namespace Cerver.Relay.Daemon;

/// <summary>What <c>relay/daemon.json</c> says about the daemon that holds the home.</summary>
public sealed record DaemonRuntime(string Url, int Pid, string Version, DateTimeOffset StartedAt);

/// <summary>
/// <c>relay/daemon.json</c> (0600): written by the daemon once it listens, removed when it stops
/// cleanly. The CLI reads it to reach the daemon of <em>its</em> <c>CERVER_HOME</c> rather than
/// whatever answers on the configured port; a file whose process is gone (a crash) is ignored.
/// </summary>
public static class DaemonRuntimeFile
{
    public static void Write(RelayPaths paths, DaemonRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(paths);
        FilePermissions.WritePrivateFile(paths.RuntimeFile, JsonSerializer.Serialize(runtime, RelayJsonContext.Default.DaemonRuntime));
    }

    /// <summary>Removes the file if it still describes this process.</summary>
    public static void Remove(RelayPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (Read(paths, requireLive: false)?.Pid == Environment.ProcessId)
        {
            File.Delete(paths.RuntimeFile);
        }
    }

    /// <summary>The daemon the file describes, or null when there is no file, it cannot be read, or (with <paramref name="requireLive"/>) its process is gone.</summary>
    public static DaemonRuntime? Read(RelayPaths paths, bool requireLive = true)
    {
        ArgumentNullException.ThrowIfNull(paths);
        try
        {
            var runtime = File.Exists(paths.RuntimeFile)
                ? JsonSerializer.Deserialize(File.ReadAllText(paths.RuntimeFile), RelayJsonContext.Default.DaemonRuntime)
                : null;
            return runtime is null || (requireLive && !IsAlive(runtime.Pid)) ? null : runtime;
        }
        catch (Exception exception) when (exception is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsAlive(int pid)
    {
        if (pid <= 0)
        {
            return false;
        }

        if (OperatingSystem.IsLinux())
        {
            return Directory.Exists($"/proc/{pid}");
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
