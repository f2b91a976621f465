using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Compute.Files.Native;
using Cerver.Relay.Compute.Isolation;
using Microsoft.Win32.SafeHandles;

namespace Cerver.Relay.Compute.Files;

/// <summary>
/// Reads and writes files of one workspace through handles opened beneath it (see
/// <see cref="WorkspaceDirectory"/>). A write is atomic and durable once acknowledged: a
/// temporary in the target's folder, fsync'd, renamed over the target, the folder fsync'd.
/// </summary>
public sealed class WorkspaceFiles
{
    /// <summary>The name prefix of a write's temporary; leftovers are deleted at start (<see cref="WorkspaceTemporaries"/>).</summary>
    public const string TemporaryPrefix = ".cerver-write-";

    private const uint DefaultFileMode = 0b110_100_100; // 0644

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly string _workspaceRoot;
    private readonly long _maxFileBytes;
    private readonly SandboxUser? _owner;
    private readonly BeneathResolver _resolver;

    /// <param name="owner">The sandbox's own user when the daemon is root: what this creates is handed to it.</param>
    public WorkspaceFiles(string workspaceRoot, long maxFileBytes, SandboxUser? owner = null)
        : this(workspaceRoot, maxFileBytes, owner, BeneathResolver.Best)
    {
    }

    internal WorkspaceFiles(string workspaceRoot, long maxFileBytes, SandboxUser? owner, BeneathResolver resolver)
    {
        _workspaceRoot = workspaceRoot;
        _maxFileBytes = Math.Min(maxFileBytes, Array.MaxLength - 1);
        _owner = owner;
        _resolver = resolver;
    }

    public async Task<WriteFileResult> WriteAsync(WriteFileRequest request, CancellationToken cancellationToken)
    {
        var encoding = ParseEncoding(request.Encoding, "encoding");
        var content = request.Content ?? throw ComputeException.Invalid("content", "content is required (use \"\" for an empty file)");
        var mode = ParseMode(request.Mode);
        var path = WorkspacePath.Parse(request.Path);
        var bytes = encoding == FileEncoding.Base64 ? DecodeBase64(content) : Encoding.UTF8.GetBytes(content);
        if (bytes.LongLength > _maxFileBytes)
        {
            // A file written through the API can be read back through it.
            throw TooLarge(path.Normalized, bytes.LongLength);
        }

        using var workspace = WorkspaceDirectory.Open(_workspaceRoot, _resolver);
        await WriteBeneathAsync(workspace, path, bytes, mode ?? DefaultFileMode, LinkAtPath.Follow, cancellationToken);
        return new WriteFileResult(path.Normalized, bytes.LongLength);
    }

    /// <summary>
    /// Writes a file whose content is the daemon's own (an agent's login) into a folder the
    /// sandbox may write: a link planted at the path is replaced by the file, never followed.
    /// </summary>
    public async Task ReplaceAsync(string path, byte[] bytes, uint mode, CancellationToken cancellationToken)
    {
        var parsed = WorkspacePath.Parse(path);
        using var workspace = WorkspaceDirectory.Open(_workspaceRoot, _resolver);
        await WriteBeneathAsync(workspace, parsed, bytes, mode, LinkAtPath.Replace, cancellationToken);
    }

    public Task<ReadFileResult> ReadAsync(string? path, FileEncoding encoding, CancellationToken cancellationToken)
    {
        var parsed = WorkspacePath.Parse(path);
        var shown = parsed.Normalized;
        using var workspace = WorkspaceDirectory.Open(_workspaceRoot, _resolver);
        using var file = workspace.Open(parsed.All, OpenFlags.Current.Read, "path", shown);
        var errno = NativeFile.TryStatus(file, out var status);
        if (errno != 0)
        {
            throw FileErrors.For(errno, "path", shown);
        }

        if (status.IsDirectory)
        {
            throw FileErrors.PathIsDirectory("path", shown);
        }

        if (!status.IsRegular)
        {
            throw FileErrors.NotRegularFile("path", shown);
        }

        if (status.Size > _maxFileBytes)
        {
            throw TooLarge(shown, status.Size);
        }

        var bytes = ReadCapped(file, status.Size, cancellationToken);
        if (bytes.LongLength > _maxFileBytes)
        {
            throw TooLarge(shown, bytes.LongLength);
        }

        string content;
        if (encoding == FileEncoding.Base64)
        {
            content = Convert.ToBase64String(bytes);
        }
        else
        {
            try
            {
                content = StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                throw new ComputeException(ComputeErrorKind.Unprocessable, "not_utf8",
                    $"path: '{shown}' is not valid UTF-8 text; read it with encoding=base64.");
            }
        }

        return Task.FromResult(new ReadFileResult(shown, content, encoding == FileEncoding.Base64 ? "base64" : "utf8", bytes.LongLength));
    }

    public static FileEncoding ParseEncoding(string? value, string field) => value?.ToLowerInvariant() switch
    {
        null or "" or "utf8" or "utf-8" => FileEncoding.Utf8,
        "base64" => FileEncoding.Base64,
        _ => throw ComputeException.Invalid(field, $"'{value}' is not an encoding; use utf8 or base64"),
    };

    private enum LinkAtPath
    {
        Follow,
        Refuse,
        Replace,
    }

    private async Task WriteBeneathAsync(WorkspaceDirectory workspace, WorkspacePath path, byte[] bytes, uint mode, LinkAtPath link, CancellationToken cancellationToken)
    {
        var shown = path.Normalized;
        if (path.IsRoot)
        {
            throw FileErrors.PathIsDirectory("path", ".");
        }

        using var folder = workspace.CreateFolder(path.Parent, _owner, "path");
        switch (WorkspaceDirectory.Inspect(folder, path.Name, "path", shown))
        {
            case EntryKind.Folder:
                throw FileErrors.PathIsDirectory("path", shown);
            case EntryKind.Special:
                throw FileErrors.NotRegularFile("path", shown);
            case EntryKind.Link when link == LinkAtPath.Replace:
                // The rename below replaces the link itself.
                break;
            case EntryKind.Link when link == LinkAtPath.Follow && workspace.FollowLink(path, "path") is { } target:
                await WriteBeneathAsync(workspace, target, bytes, mode, LinkAtPath.Refuse, cancellationToken);
                return;
            case EntryKind.Link when workspace.Resolver.FollowsLinks:
                throw new ComputeException(ComputeErrorKind.Conflict, "path_is_link", $"path: '{shown}' is a symbolic link to nothing in the workspace.");
            case EntryKind.Link:
                throw FileErrors.Outside("path", shown, "is a symbolic link, which this kernel cannot follow safely");
        }

        var temporary = TemporaryPrefix + Guid.NewGuid().ToString("N");
        var errno = NativeFile.TryOpen(folder, temporary, OpenFlags.Current.CreateNew, 0b110_000_000, out var file);
        if (errno != 0)
        {
            file.Dispose();
            throw FileErrors.For(errno, "path", shown);
        }

        try
        {
            using (file)
            {
                await RandomAccess.WriteAsync(file, bytes, 0, cancellationToken);
                WorkspaceDirectory.GiveTo(file, _owner, "path", shown);
                Require(NativeFile.TryChangeMode(file, mode), shown);
                Require(NativeFile.TrySync(file), shown);
            }

            Require(NativeFile.TryRename(folder, temporary, path.Name), shown);
        }
        catch
        {
            NativeFile.TryUnlink(folder, temporary);
            throw;
        }

        // The rename is durable only once the folder's entry is.
        Require(NativeFile.TrySync(folder), shown);
    }

    /// <summary>Reads through the checked handle, never more than one byte past the cap, even if the file grows meanwhile.</summary>
    private byte[] ReadCapped(SafeFileHandle file, long expected, CancellationToken cancellationToken)
    {
        var buffer = new byte[Math.Min(expected, _maxFileBytes) + 1];
        var total = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (total == buffer.Length)
            {
                if (total > _maxFileBytes)
                {
                    break;
                }

                Array.Resize(ref buffer, (int)Math.Min(buffer.Length * 2L, _maxFileBytes + 1));
            }

            var read = RandomAccess.Read(file, buffer.AsSpan(total), total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total == buffer.Length ? buffer : buffer[..total];
    }

    private static void Require(int errno, string shown)
    {
        if (errno != 0)
        {
            throw FileErrors.For(errno, "path", shown);
        }
    }

    private ComputeException TooLarge(string shown, long size) =>
        new(ComputeErrorKind.TooLarge, "file_too_large", $"path: '{shown}' is {size} bytes, over the {_maxFileBytes}-byte limit of a file read or written through the API.");

    private static byte[] DecodeBase64(string content)
    {
        try
        {
            return Convert.FromBase64String(content);
        }
        catch (FormatException)
        {
            throw ComputeException.Invalid("content", "is not valid base64");
        }
    }

    /// <summary>Accepts <c>"0755"</c>, <c>"755"</c> or the number <c>755</c>, read as octal; no set-id bits.</summary>
    private static uint? ParseMode(JsonNode? mode)
    {
        if (mode is null)
        {
            return null;
        }

        var text = mode.GetValueKind() switch
        {
            JsonValueKind.String => mode.GetValue<string>(),
            JsonValueKind.Number => mode.ToJsonString(),
            _ => throw ComputeException.Invalid("mode", "must be an octal string like \"0644\""),
        };
        try
        {
            var value = Convert.ToInt32(text, 8);
            if (value is < 0 or > 0x1FF)
            {
                throw ComputeException.Invalid("mode", $"'{text}' is outside 0000–0777 (set-id and sticky bits are not allowed)");
            }

            return (uint)value;
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException or OverflowException)
        {
            throw ComputeException.Invalid("mode", $"'{text}' is not an octal file mode like \"0644\"");
        }
    }
}
