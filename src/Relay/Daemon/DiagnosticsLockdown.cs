using System.Runtime.InteropServices;

namespace Cerver.Relay.Daemon;

/// <summary>
/// Keeps the daemon's .NET diagnostics IPC off. The runtime opens a socket in TMPDIR through
/// which anyone with the daemon's uid can read its memory and environment (the account key),
/// and it reads the switch only from the environment: no runtimeconfig knob exists for it. So
/// the daemon, when started without <c>DOTNET_EnableDiagnostics=0</c>, replaces itself
/// (execve: same pid, same arguments) with the variable set, before it reads any secret.
/// </summary>
public static partial class DiagnosticsLockdown
{
    public const string Variable = "DOTNET_EnableDiagnostics";

    /// <summary>Re-executes the process with diagnostics off unless they already are; returns only when nothing had to be done or exec failed.</summary>
    public static void EnsureOff()
    {
        if (!OperatingSystem.IsLinux() || Environment.ProcessPath is not { } executable)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable(Variable) == "0")
        {
            RemoveEndpointsOfThisPid();
            return;
        }

        // /proc/self/cmdline holds the exact argv (with 'dotnet' and the dll when run that way).
        var argv = File.ReadAllText("/proc/self/cmdline").TrimEnd('\0').Split('\0');
        Environment.SetEnvironmentVariable(Variable, "0");
        var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(entry => $"{entry.Key}={entry.Value}").ToArray();
        Execve(executable, [.. argv, null], [.. environment, null]);
        // Only reached when exec failed; the daemon then runs with diagnostics on, as before.
    }

    /// <summary>
    /// The image before the exec had opened its socket and debugger pipes under this same pid and
    /// could not remove them; nothing listens there any more, and a stale socket must not stay.
    /// </summary>
    private static void RemoveEndpointsOfThisPid()
    {
        var pid = Environment.ProcessId;
        foreach (var pattern in new[] { $"dotnet-diagnostic-{pid}-*-socket", $"clr-debug-pipe-{pid}-*" })
        {
            foreach (var path in Directory.EnumerateFiles(Path.GetTempPath(), pattern))
            {
                File.Delete(path);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "execve", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Execve(string path, string?[] argv, string?[] envp);
}
