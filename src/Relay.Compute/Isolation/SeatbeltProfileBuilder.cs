using System.Text;

namespace Cerver.Relay.Compute.Isolation;

/// <summary>
/// Builds a deny-by-default <c>sandbox-exec</c> profile equivalent to the bubblewrap boundary:
/// the system readable, the hidden folders unreadable, toolchains readable again, the
/// workspace and its temporary folder writable, and no network unless asked for.
/// In SBPL the last matching rule wins, which is why the order below matters.
/// </summary>
public sealed class SeatbeltProfileBuilder(SandboxBoundary boundary)
{
    public string Build()
    {
        var profile = new StringBuilder();
        profile.AppendLine("(version 1)");
        profile.AppendLine("(deny default)");
        profile.AppendLine("(allow process-fork)");
        profile.AppendLine("(allow process-exec)");
        profile.AppendLine("(allow signal (target same-sandbox))");
        profile.AppendLine("(allow sysctl-read)");
        profile.AppendLine("(allow mach-lookup)");
        profile.AppendLine("(allow ipc-posix-shm)");
        profile.AppendLine("(allow file-read*)");
        foreach (var hidden in boundary.HiddenPaths.Distinct(StringComparer.Ordinal))
        {
            profile.AppendLine($"(deny file-read* (subpath {Quote(hidden)}))");
        }

        foreach (var readOnly in boundary.ReadOnlyPaths.Distinct(StringComparer.Ordinal))
        {
            profile.AppendLine($"(allow file-read* (subpath {Quote(readOnly)}))");
        }

        profile.AppendLine($"(allow file-read* file-write* (subpath {Quote(boundary.Workspace)}))");
        profile.AppendLine($"(allow file-read* file-write* (subpath {Quote(boundary.TemporaryDirectory)}))");
        foreach (var writable in boundary.WritablePaths.Distinct(StringComparer.Ordinal))
        {
            profile.AppendLine($"(allow file-read* file-write* (subpath {Quote(writable)}))");
        }

        // The equivalents of the Linux filter: no set-id bit on what the sandbox writes, no look
        // into or at processes outside it (task ports, memory, arguments).
        profile.AppendLine("(deny file-write-setugid)");
        profile.AppendLine("(deny process-info* (target others))");
        profile.AppendLine("(deny mach-priv-task-port)");
        profile.AppendLine("(allow file-write* (literal \"/dev/null\") (literal \"/dev/zero\") (literal \"/dev/dtracehelper\") (regex #\"^/dev/tty\") (regex #\"^/dev/fd/\"))");
        profile.AppendLine("(allow file-ioctl (regex #\"^/dev/tty\"))");
        if (boundary.Network)
        {
            profile.AppendLine("(allow network*)");
            profile.AppendLine("(allow system-socket)");
        }
        else
        {
            profile.AppendLine("(allow network* (local unix))");
        }

        return profile.ToString();
    }

    /// <summary>An SBPL string literal: backslashes and quotes escaped, control characters refused.</summary>
    public static string Quote(string path)
    {
        if (path.Any(char.IsControl))
        {
            throw new ArgumentException($"A sandbox path cannot contain control characters: '{path}'.", nameof(path));
        }

        return "\"" + path.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }
}
