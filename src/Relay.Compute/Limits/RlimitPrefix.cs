using Cerver.Relay.Compute.Isolation;
using Cerver.Relay.Compute.Processes;
using Cerver.Relay.Compute.Runtimes;

namespace Cerver.Relay.Compute.Limits;

/// <summary>
/// The <c>prlimit … --</c> prefix that puts a sandbox's bounds on its first process, which
/// every process it starts inherits. Memory is RLIMIT_DATA, not RLIMIT_AS: V8 reserves far
/// more address space than it uses, so node fails to start under an AS limit of 512 MiB but
/// runs under the same DATA limit, which still counts every private writable mapping.
/// </summary>
/// <remarks>
/// RLIMIT_NPROC is counted per uid per user namespace, and checked at every level up to the
/// namespace's creator against the limit the creator had. The prefix must therefore run
/// inside bubblewrap's user namespace: in front of bwrap, an unprivileged daemon's sandboxes
/// would share one count (one sandbox's fork bomb would stop the others from starting).
/// </remarks>
public static class RlimitPrefix
{
    private static readonly Lazy<string?> Prlimit = new(() => OperatingSystem.IsLinux() ? ExecutableSearch.Find("prlimit") : null);

    /// <summary>util-linux <c>prlimit</c>, or null where it is missing (and rlimits cannot be applied).</summary>
    public static string? PrlimitPath => Prlimit.Value;

    public static IReadOnlyList<string> For(ResourceLimits limits, string prlimitPath, IReadOnlyDictionary<string, ulong>? hardLimits = null)
    {
        hardLimits ??= DaemonHardLimits.Value;
        return
        [
            prlimitPath,
            $"--data={Clamp(limits.MemoryBytes, "Max data size", hardLimits)}",
            $"--nproc={Clamp(limits.Processes, "Max processes", hardLimits)}",
            $"--fsize={Clamp(limits.FileSizeBytes, "Max file size", hardLimits)}",
            $"--nofile={Clamp(limits.OpenFiles, "Max open files", hardLimits)}",
            "--core=0",
            "--",
        ];
    }

    /// <summary>
    /// A limit no higher than the daemon's own hard limit: an unprivileged process may lower its
    /// limits but never raise them, and a prlimit that asked for more would fail every run.
    /// </summary>
    private static ulong Clamp(long wanted, string name, IReadOnlyDictionary<string, ulong> hardLimits) =>
        hardLimits.TryGetValue(name, out var hard) ? Math.Min((ulong)wanted, hard) : (ulong)wanted;

    private static readonly Lazy<IReadOnlyDictionary<string, ulong>> DaemonHardLimits = new(() => ParseLimits(ReadOwnLimits()));

    private static string ReadOwnLimits()
    {
        try
        {
            return OperatingSystem.IsLinux() ? File.ReadAllText("/proc/self/limits") : "";
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>The hard limits of <c>/proc/self/limits</c> ("Max open files  1024  524288  files"); unlimited ones are left out.</summary>
    public static IReadOnlyDictionary<string, ulong> ParseLimits(string text)
    {
        var limits = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n').Skip(1))
        {
            var columns = line.Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (columns.Length >= 3 && ulong.TryParse(columns[2], System.Globalization.CultureInfo.InvariantCulture, out var hard))
            {
                limits[columns[0]] = hard;
            }
        }

        return limits;
    }

    /// <summary>The process, started under the limits; unchanged off Linux, where no prlimit exists.</summary>
    public static ProcessSpec Apply(ProcessSpec process, ResourceLimits limits)
    {
        if (!OperatingSystem.IsLinux())
        {
            return process;
        }

        var prefix = For(limits, PrlimitPath ?? throw new InvalidOperationException("prlimit (util-linux) is not installed: the sandbox limits cannot be applied."));
        return process.WithCommand(prefix[0], [.. prefix.Skip(1), process.FileName, .. process.Arguments]);
    }
}
