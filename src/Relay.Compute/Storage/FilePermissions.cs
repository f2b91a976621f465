namespace Cerver.Relay.Compute.Storage;

/// <summary>Owner-only modes for the relay's files and folders (no-ops on Windows).</summary>
public static class FilePermissions
{
    public static void RestrictToOwner(string path)
    {
        if (OperatingSystem.IsWindows() || !Path.Exists(path))
        {
            return;
        }

        File.SetUnixFileMode(path, Directory.Exists(path)
            ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            : UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public static DirectoryInfo CreatePrivateDirectory(string path)
    {
        var info = OperatingSystem.IsWindows()
            ? Directory.CreateDirectory(path)
            : Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        RestrictToOwner(path);
        return info;
    }

    /// <summary>Writes a whole file readable only by its owner, replacing any old one atomically.</summary>
    public static void WritePrivateFile(string path, string content)
    {
        var temporary = path + ".tmp-" + Environment.ProcessId;
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        RestrictToOwner(temporary);
        File.Move(temporary, path, overwrite: true);
    }
}
