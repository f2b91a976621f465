using System.Text;

namespace Cerver.Relay.Compute.Processes;

/// <summary>
/// Finds processes by a variable in their environment (the sandbox id, or one run's id) and
/// kills them: the net for processes that left their run's group or PID namespace — a run
/// that daemonized without namespace isolation, a sandbox whose bubblewrap was killed while
/// still starting, survivors of a crashed daemon. Linux only, where <c>/proc/&lt;pid&gt;/environ</c> tells.
/// </summary>
public static class SandboxProcessReaper
{
    public static int KillSandboxProcesses(IReadOnlySet<string> sandboxIds) =>
        KillProcessesWith(SandboxEnvironmentBuilder.SandboxIdVariable, sandboxIds);

    public static int KillProcessesWith(string variable, IReadOnlySet<string> values)
    {
        if (!OperatingSystem.IsLinux() || values.Count == 0)
        {
            return 0;
        }

        var killed = 0;
        var self = Environment.ProcessId;
        var prefix = Encoding.ASCII.GetBytes(variable + "=");
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || pid == self)
            {
                continue;
            }

            var value = ReadVariable(Path.Combine(directory, "environ"), prefix);
            if (value is not null && values.Contains(value))
            {
                ProcessTree.Kill(pid);
                killed++;
            }
        }

        return killed;
    }

    private static string? ReadVariable(string environPath, byte[] prefix)
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
