namespace Cerver.Relay.Compute.Runtimes;

/// <summary>Finds programs the way a shell does: the first executable file of that name on PATH.</summary>
public static class ExecutableSearch
{
    public static string? Find(string name, string? path = null)
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            return IsExecutable(name) ? name : null;
        }

        var entries = (path ?? Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return entries.Select(directory => Path.Combine(directory, name)).FirstOrDefault(IsExecutable);
    }

    private static bool IsExecutable(string candidate)
    {
        if (!File.Exists(candidate))
        {
            return false;
        }

        return OperatingSystem.IsWindows()
            || (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
    }
}
