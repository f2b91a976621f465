using System.Text;

namespace Cerver.Relay.Compute.Processes;

/// <summary>
/// Finds processes by the sandbox id in their environment and kills them: the net for
/// processes that detached from their run (or survived a crash of the daemon) without
/// namespace isolation. Linux only, where <c>/proc/&lt;pid&gt;/environ</c> tells.
/// </summary>
public static class SandboxProcessReaper
{
    public static int KillSandboxProcesses(IReadOnlySet<string> sandboxIds)
    {
        if (!OperatingSystem.IsLinux() || sandboxIds.Count == 0)
        {
            return 0;
        }

        var killed = 0;
        var self = Environment.ProcessId;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || pid == self)
            {
                continue;
            }

            var sandboxId = ReadSandboxId(Path.Combine(directory, "environ"));
            if (sandboxId is not null && sandboxIds.Contains(sandboxId))
            {
                ProcessTree.Kill(pid);
                killed++;
            }
        }

        return killed;
    }

    private static string? ReadSandboxId(string environPath)
    {
        byte[] environ;
        try
        {
            environ = File.ReadAllBytes(environPath);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var prefix = Encoding.ASCII.GetBytes(SandboxEnvironmentBuilder.SandboxIdVariable + "=");
        foreach (var entry in environ.AsSpan().Split((byte)0))
        {
            var variable = environ.AsSpan(entry);
            if (variable.StartsWith(prefix))
            {
                return Encoding.ASCII.GetString(variable[prefix.Length..]);
            }
        }

        return null;
    }
}
