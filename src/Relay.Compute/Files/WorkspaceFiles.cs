using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cerver.Relay.Compute.Contract;

namespace Cerver.Relay.Compute.Files;

/// <summary>Reads and writes files of one workspace; writes are atomic (temporary file, then rename).</summary>
public sealed class WorkspaceFiles(string workspaceRoot, long maxFileBytes)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public async Task<WriteFileResult> WriteAsync(WriteFileRequest request, CancellationToken cancellationToken)
    {
        var encoding = ParseEncoding(request.Encoding, "encoding");
        var content = request.Content ?? throw ComputeException.Invalid("content", "content is required (use \"\" for an empty file)");
        var mode = ParseMode(request.Mode);
        var bytes = encoding == FileEncoding.Base64 ? DecodeBase64(content) : Encoding.UTF8.GetBytes(content);
        var target = WorkspacePath.Resolve(workspaceRoot, request.Path);
        if (Directory.Exists(target))
        {
            throw new ComputeException(ComputeErrorKind.Conflict, "path_is_directory", $"path: '{request.Path}' is a directory.");
        }

        CreateParents(request.Path!);
        var directory = Path.GetDirectoryName(target)!;
        var temporary = Path.Combine(directory, $".cerver-write-{Guid.NewGuid():N}");
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await stream.WriteAsync(bytes, cancellationToken);
                await stream.FlushAsync(cancellationToken);
            }

            if (mode is { } unixMode && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, unixMode);
            }

            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        return new WriteFileResult(Normalize(request.Path!), bytes.LongLength);
    }

    public async Task<ReadFileResult> ReadAsync(string? path, FileEncoding encoding, CancellationToken cancellationToken)
    {
        var target = WorkspacePath.Resolve(workspaceRoot, path);
        var info = new FileInfo(target);
        if (Directory.Exists(target))
        {
            throw new ComputeException(ComputeErrorKind.Conflict, "path_is_directory", $"path: '{path}' is a directory.");
        }

        if (!info.Exists)
        {
            throw new ComputeException(ComputeErrorKind.NotFound, "file_not_found", $"path: no file '{path}' in the workspace.");
        }

        if (info.Length > maxFileBytes)
        {
            throw new ComputeException(ComputeErrorKind.TooLarge, "file_too_large",
                $"path: '{path}' is {info.Length} bytes, over the {maxFileBytes}-byte limit of a read.");
        }

        var bytes = await File.ReadAllBytesAsync(target, cancellationToken);
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
                    $"path: '{path}' is not valid UTF-8 text; read it with encoding=base64.");
            }
        }

        return new ReadFileResult(Normalize(path!), content, encoding == FileEncoding.Base64 ? "base64" : "utf8", bytes.LongLength);
    }

    public static FileEncoding ParseEncoding(string? value, string field) => value?.ToLowerInvariant() switch
    {
        null or "" or "utf8" or "utf-8" => FileEncoding.Utf8,
        "base64" => FileEncoding.Base64,
        _ => throw ComputeException.Invalid(field, $"'{value}' is not an encoding; use utf8 or base64"),
    };

    /// <summary>Creates each missing parent folder, checking each one so a link cannot redirect the write.</summary>
    private void CreateParents(string relativePath)
    {
        var segments = relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 1; i < segments.Length; i++)
        {
            var prefix = string.Join('/', segments.Take(i));
            var directory = WorkspacePath.Resolve(workspaceRoot, prefix);
            if (File.Exists(directory))
            {
                throw new ComputeException(ComputeErrorKind.Conflict, "path_is_file", $"path: '{prefix}' is a file, not a folder.");
            }

            Directory.CreateDirectory(directory);
        }
    }

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
    private static UnixFileMode? ParseMode(JsonNode? mode)
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

            return (UnixFileMode)value;
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException or OverflowException)
        {
            throw ComputeException.Invalid("mode", $"'{text}' is not an octal file mode like \"0644\"");
        }
    }

    private static string Normalize(string path) =>
        string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(segment => segment != "."));
}
