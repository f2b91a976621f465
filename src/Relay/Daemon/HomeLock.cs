using Cerver.Relay.Compute.Storage;
using Cerver.Relay.Configuration;

namespace Cerver.Relay.Daemon;

/// <summary>
/// One daemon per <c>CERVER_HOME</c>: an exclusive lock on <c>relay/daemon.lock</c> (FileShare.None
/// is <c>flock(LOCK_EX)</c> on Unix), taken by <c>run</c> before anything else in the home is
/// touched. The kernel drops it when the process ends, however it ends, so a <c>kill -9</c> never
/// leaves a stale lock behind; the file itself stays and means nothing.
/// </summary>
public sealed class HomeLock : IDisposable
{
    /// <summary>ERROR_SHARING_VIOLATION, which .NET reports for a file another process has locked.</summary>
    private const int SharingViolation = unchecked((int)0x80070020);

    private readonly FileStream _stream;

    private HomeLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock, or returns null when another process holds it.</summary>
    public static HomeLock? TryTake(RelayPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        FilePermissions.CreatePrivateDirectory(paths.CerverHome);
        FilePermissions.CreatePrivateDirectory(paths.RelayDirectory);
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            return new HomeLock(new FileStream(paths.LockFile, options));
        }
        catch (IOException exception) when (exception.HResult == SharingViolation || exception.Message.Contains("being used by another process", StringComparison.Ordinal))
        {
            return null;
        }
    }

    public void Dispose() => _stream.Dispose();
}
