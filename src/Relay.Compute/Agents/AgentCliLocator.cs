using Cerver.Relay.Compute.Runtimes;

namespace Cerver.Relay.Compute.Agents;

/// <summary>
/// Finds an agent CLI the way a person's shell would, and then some: PATH first, then the
/// folders the CLIs' own installers and version managers use under the home (npm's user
/// prefix, <c>~/.local/bin</c>, Claude's native installer, bun, volta, nvm). A daemon started
/// by a service manager has a bare PATH, and the sandbox hides the home, so the CLI's real
/// install (its whole <c>node_modules</c>, or its own folder) is re-exposed read-only.
/// </summary>
public sealed class AgentCliLocator(string? extraPath = null, string? home = null, string? systemPath = null)
{
    private readonly string _home = home ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
    private readonly string _systemPath = systemPath ?? Environment.GetEnvironmentVariable("PATH") ?? "";

    public AgentCli? Find(IAgentHarness harness)
    {
        var found = ExecutableSearch.Find(harness.Executable, string.Join(Path.PathSeparator, SearchPath()));
        if (found is null)
        {
            return null;
        }

        var real = RealPath(found);
        return new AgentCli(harness.Name, real, [InstallRoot(real)]);
    }

    /// <summary>Where the CLI is looked for, in order: <c>CERVER_AGENT_PATH</c>, PATH, then the usual user folders.</summary>
    public IEnumerable<string> SearchPath()
    {
        foreach (var entry in (extraPath ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            yield return entry;
        }

        foreach (var entry in _systemPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            yield return entry;
        }

        if (_home.Length > 1)
        {
            foreach (var relative in new[] { ".local/bin", ".npm-global/bin", ".npm/bin", ".claude/local", ".bun/bin", ".volta/bin", ".yarn/bin", ".deno/bin" })
            {
                yield return Path.Combine(_home, relative);
            }

            var nvm = Path.Combine(_home, ".nvm", "versions", "node");
            if (Directory.Exists(nvm))
            {
                foreach (var version in Directory.EnumerateDirectories(nvm).Order(StringComparer.Ordinal).Reverse())
                {
                    yield return Path.Combine(version, "bin");
                }
            }
        }

        if (systemPath is null)
        {
            yield return "/usr/local/bin";
            yield return "/opt/homebrew/bin";
        }
    }

    /// <summary>
    /// The folder to bind: the nearest <c>node_modules</c> above the real file (a package's
    /// platform binaries live in sibling packages), or the file's own folder.
    /// </summary>
    public static string InstallRoot(string realExecutable)
    {
        for (var folder = Path.GetDirectoryName(realExecutable); folder is not null && folder != "/"; folder = Path.GetDirectoryName(folder))
        {
            if (Path.GetFileName(folder) == "node_modules")
            {
                return folder;
            }
        }

        return Path.GetDirectoryName(realExecutable)!;
    }

    private static string RealPath(string path)
    {
        try
        {
            return File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
        }
        catch (IOException)
        {
            return Path.GetFullPath(path);
        }
    }
}
