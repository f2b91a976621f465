using System.Runtime.InteropServices;
using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Compute.Files.Native;

namespace Cerver.Relay.Compute.Files;

/// <summary>The answer to each way a file call can fail, so every bad path is a 4xx with a stable code.</summary>
internal static class FileErrors
{
    public static ComputeException For(int errno, string field, string shown)
    {
        if (errno == Errno.CrossDevice || errno == Errno.Loop)
        {
            return Outside(field, shown, "goes through a symbolic link that leaves the workspace, loops, or cannot be followed safely here");
        }

        if (errno == Errno.NameTooLong)
        {
            return new(ComputeErrorKind.InvalidInput, "path_too_long", $"{field}: '{shown}' has a name longer than the file system allows.");
        }

        if (errno == Errno.Quota)
        {
            return NoSpace(field, shown);
        }

        return errno switch
        {
            Errno.NoEntry => new(ComputeErrorKind.NotFound, "file_not_found", $"{field}: no file '{shown}' in the workspace."),
            Errno.NotDirectory => new(ComputeErrorKind.Conflict, "path_is_file", $"{field}: '{shown}' goes through a file where a folder is expected."),
            Errno.IsDirectory => PathIsDirectory(field, shown),
            Errno.NoDeviceOrAddress or Errno.NoDevice => NotRegularFile(field, shown),
            Errno.Access or Errno.Permission => new(ComputeErrorKind.Forbidden, "permission_denied", $"{field}: '{shown}' may not be accessed."),
            Errno.NoSpace or Errno.FileTooBig => NoSpace(field, shown),
            Errno.ReadOnlyFileSystem or Errno.TextBusy => new(ComputeErrorKind.Conflict, "file_busy", $"{field}: '{shown}' cannot be written now."),
            _ => new(ComputeErrorKind.Fault, "file_io_failed", $"{field}: '{shown}' failed: {Marshal.GetPInvokeErrorMessage(errno)}."),
        };
    }

    public static ComputeException Outside(string field, string shown, string why) =>
        new(ComputeErrorKind.InvalidInput, "path_outside_workspace", $"{field}: '{shown}' {why}.");

    public static ComputeException PathIsDirectory(string field, string shown) =>
        new(ComputeErrorKind.Conflict, "path_is_directory", $"{field}: '{shown}' is a directory.");

    public static ComputeException NotRegularFile(string field, string shown) =>
        new(ComputeErrorKind.Conflict, "not_a_regular_file", $"{field}: '{shown}' is not a regular file (a FIFO, socket or device); only files and folders are served.");

    private static ComputeException NoSpace(string field, string shown) =>
        new(ComputeErrorKind.TooLarge, "no_space", $"{field}: '{shown}' does not fit: the workspace's disk or quota is full.");
}
