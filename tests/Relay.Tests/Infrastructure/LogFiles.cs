namespace Cerver.Relay.Tests.Infrastructure;

/// <summary>Reads a daemon's log files while the daemon may still be writing them.</summary>
public static class LogFiles
{
    public static string ReadAll(string logsDirectory) =>
        string.Concat(Directory.GetFiles(logsDirectory).Order(StringComparer.Ordinal).Select(Read));

    private static string Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
