using System.Collections.Concurrent;
using Cerver.Relay.Compute.Processes;
using CliWrap.Buffered;
using CliWrap;

namespace Cerver.Relay.Compute.Runtimes;

/// <summary>
/// Detects the runtimes sandboxes can use by asking each one where it really lives: version
/// managers (pyenv, nvm, uv) put shims on PATH that are not the interpreter itself, and a
/// sandbox that hides the home folder must re-expose the real install read-only.
/// Detection runs once, in parallel, and is cached.
/// </summary>
public sealed class RuntimeLocator
{
    private static readonly (string Name, string Program, string[] Arguments)[] Probes =
    [
        ("sh", "sh", ["-c", "command -v sh"]),
        ("bash", "bash", ["-c", "echo \"$BASH\"; echo \"${BASH_VERSION%%(*}\""]),
        ("node", "node", ["-e", "console.log(process.execPath); console.log(process.versions.node)"]),
        ("python", "python3", ["-c", "import sys; print(sys.executable); print(sys.version.split()[0]); print(sys.base_prefix)"]),
        ("npm", "npm", ["--version"]),
        ("uv", "uv", ["--version"]),
        ("git", "git", ["--version"]),
        ("bun", "bun", ["--version"]),
        ("deno", "deno", ["--version"]),
    ];

    private readonly Lazy<Task<IReadOnlyDictionary<string, RuntimeInfo>>> _runtimes;

    public RuntimeLocator() => _runtimes = new(DetectAsync);

    public Task<IReadOnlyDictionary<string, RuntimeInfo>> GetAsync() => _runtimes.Value;

    private static async Task<IReadOnlyDictionary<string, RuntimeInfo>> DetectAsync()
    {
        var found = new ConcurrentDictionary<string, RuntimeInfo>(StringComparer.Ordinal);
        await Task.WhenAll(Probes.Select(async probe =>
        {
            var info = await ProbeAsync(probe.Name, probe.Program, probe.Arguments);
            if (info is not null)
            {
                found[probe.Name] = info;
            }
        }));
        return new SortedDictionary<string, RuntimeInfo>(found, StringComparer.Ordinal);
    }

    private static async Task<RuntimeInfo?> ProbeAsync(string name, string program, string[] arguments)
    {
        var onPath = ExecutableSearch.Find(program);
        if (onPath is null)
        {
            return null;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            var result = await Cli.Wrap(onPath).WithArguments(arguments).WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync(timeout.Token);
            if (result.ExitCode != 0)
            {
                return null;
            }

            var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return name switch
            {
                "sh" => Describe(name, RealPath(onPath), ""),
                "bash" or "node" => lines.Length >= 2 ? Describe(name, RealPath(lines[0]), lines[1]) : null,
                "python" => lines.Length >= 3 ? Describe(name, lines[0], lines[1], lines[2]) : null,
                // "git version 2.43.0", "uv 0.5.1", "deno 2.1.4 (stable, …)", "1.1.38": the first word with a digit.
                _ => Describe(name, RealPath(onPath), lines.FirstOrDefault()?.Split(' ').FirstOrDefault(word => word.Any(char.IsAsciiDigit)) ?? ""),
            };
        }
        catch (Exception exception) when (exception is OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static RuntimeInfo Describe(string name, string executable, string version, params string[] extraRoots) =>
        new(name, executable, version, [InstallRoot(executable), .. extraRoots.Where(root => root.Length > 0)]);

    /// <summary>The install prefix of an executable: the folder above <c>bin/</c>, or its own folder.</summary>
    private static string InstallRoot(string executable)
    {
        var directory = Path.GetDirectoryName(executable)!;
        return Path.GetFileName(directory) == "bin" ? Path.GetDirectoryName(directory)! : directory;
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
