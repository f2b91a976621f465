using System.Formats.Tar;
using System.IO.Compression;

namespace Cerver.Relay.Update;

/// <summary>
/// Unpacks a release <c>.tar.gz</c> into an empty folder. Only files and folders are taken;
/// an entry that would land outside the folder (absolute path, <c>..</c>) or a link of any kind
/// is refused, so a crafted archive cannot write anywhere else.
/// </summary>
public static class ArchiveExtractor
{
    public static void Extract(string archivePath, string destination)
    {
        var root = Path.GetFullPath(destination);
        Directory.CreateDirectory(root);
        try
        {
            using var file = File.OpenRead(archivePath);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var reader = new TarReader(gzip);
            while (reader.GetNextEntry() is { } entry)
            {
                var target = TargetOf(root, entry.Name);
                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                        Directory.CreateDirectory(target);
                        break;
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                        entry.ExtractToFile(target, overwrite: false);
                        if (!OperatingSystem.IsWindows())
                        {
                            File.SetUnixFileMode(target, entry.Mode & (UnixFileMode)0b111_101_101 | UnixFileMode.UserRead | UnixFileMode.UserWrite);
                        }

                        break;
                    case TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes:
                        break;
                    default:
                        throw new UpdateException($"the release archive holds '{entry.Name}' of type {entry.EntryType}; only files and folders are accepted. Nothing was changed.");
                }
            }
        }
        catch (Exception exception) when (exception is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new UpdateException($"the release archive is damaged ({exception.Message}). Nothing was changed.", exception);
        }
    }

    private static string TargetOf(string root, string name)
    {
        var relative = name.Replace('\\', '/');
        if (relative.StartsWith('/') || relative.Split('/').Contains(".."))
        {
            throw new UpdateException($"the release archive holds '{name}', which points outside its folder; refusing it. Nothing was changed.");
        }

        var target = Path.GetFullPath(Path.Combine(root, relative));
        if (target != root && !target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new UpdateException($"the release archive holds '{name}', which points outside its folder; refusing it. Nothing was changed.");
        }

        return target;
    }
}
