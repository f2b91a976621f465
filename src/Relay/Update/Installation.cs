using CliWrap;
using CliWrap.Buffered;
using Cerver.Relay.Configuration;

namespace Cerver.Relay.Update;

/// <summary>
/// The installed versions under <c>CERVER_HOME</c>: <c>versions/&lt;v&gt;/cerver-relay</c>, and
/// <c>bin/cerver-relay</c>, a link to the current one that is only ever replaced by a rename.
/// </summary>
public sealed class Installation(RelayPaths paths)
{
    public const string BinaryName = "cerver-relay";

    private static readonly TimeSpan SmokeTestLimit = TimeSpan.FromSeconds(30);

    public string Link => Path.Combine(paths.BinDirectory, BinaryName);

    public string DirectoryOf(string version) => Path.Combine(paths.VersionsDirectory, version);

    public string BinaryOf(string version) => Path.Combine(DirectoryOf(version), BinaryName);

    /// <summary>The version the link points at (its target's folder name), or null when the relay is not installed under CERVER_HOME.</summary>
    public string? CurrentVersion()
    {
        var info = new FileInfo(Link);
        if (info.LinkTarget is null)
        {
            return null;
        }

        var target = Path.GetFullPath(info.LinkTarget, paths.BinDirectory);
        return Path.GetFileName(Path.GetDirectoryName(target));
    }

    /// <summary>
    /// Unpacks a verified archive next to the installed versions, checks that its binary answers
    /// <c>version</c> with <paramref name="version"/>, and only then moves it to <c>versions/&lt;v&gt;</c>.
    /// </summary>
    public async Task StageAsync(string archivePath, SemanticVersion version, CancellationToken cancellationToken)
    {
        var staging = Path.Combine(paths.VersionsDirectory, $".staging-{version}-{Guid.NewGuid():N}");
        try
        {
            ArchiveExtractor.Extract(archivePath, staging);
            await SmokeTestAsync(Path.Combine(staging, BinaryName), version, cancellationToken);
            var final = DirectoryOf(version.ToString());
            if (Directory.Exists(final))
            {
                // A leftover of an earlier attempt that never became current.
                Directory.Delete(final, recursive: true);
            }

            Directory.Move(staging, final);
        }
        catch (IOException exception) when (AssetDownloader.IsDiskFull(exception))
        {
            throw new UpdateException($"the disk is full: version {version} could not be unpacked. Free some space and try again; nothing was changed.", exception);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    /// <summary>Runs <c>&lt;binary&gt; version</c> and insists it prints <paramref name="version"/>.</summary>
    public static async Task SmokeTestAsync(string binary, SemanticVersion version, CancellationToken cancellationToken)
    {
        if (!File.Exists(binary))
        {
            throw new UpdateException($"the release archive has no {BinaryName} at its root; the release is broken. Nothing was changed.");
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(SmokeTestLimit);
        BufferedCommandResult result;
        try
        {
            result = await global::CliWrap.Cli.Wrap(binary).WithArguments(["version"]).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UpdateException($"version {version} did not answer 'cerver-relay version' within {SmokeTestLimit.TotalSeconds:0} s; it was not installed.");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new UpdateException($"version {version} cannot be started on this machine ({exception.Message}); it was not installed.", exception);
        }

        var printed = result.StandardOutput.Trim();
        if (result.ExitCode != 0 || !SemanticVersion.TryParse(printed, out var answered) || answered != version)
        {
            var detail = result.ExitCode != 0 ? $"exited with {result.ExitCode}{FirstLine(result.StandardError)}" : $"printed '{Shorten(printed)}'";
            throw new UpdateException($"the new binary of version {version} failed its check ('cerver-relay version' {detail}); it was not installed and nothing was changed.");
        }
    }

    /// <summary>Points the link at <paramref name="version"/> by renaming a new link over it, so it is never missing or half-written.</summary>
    public void Swap(string version)
    {
        Directory.CreateDirectory(paths.BinDirectory);
        var temporary = Path.Combine(paths.BinDirectory, $".{BinaryName}.{Environment.ProcessId}.{Guid.NewGuid():N}");
        File.CreateSymbolicLink(temporary, BinaryOf(version));
        try
        {
            File.Move(temporary, Link, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    public void Remove(string version)
    {
        if (Directory.Exists(DirectoryOf(version)))
        {
            Directory.Delete(DirectoryOf(version), recursive: true);
        }
    }

    /// <summary>Deletes every installed version but <paramref name="keep"/> (the current and the previous one).</summary>
    public IReadOnlyList<string> Prune(params string?[] keep)
    {
        if (!Directory.Exists(paths.VersionsDirectory))
        {
            return [];
        }

        var removed = new List<string>();
        foreach (var directory in Directory.GetDirectories(paths.VersionsDirectory))
        {
            var name = Path.GetFileName(directory);
            if (!name.StartsWith('.') && !keep.Contains(name))
            {
                Directory.Delete(directory, recursive: true);
                removed.Add(name);
            }
        }

        return removed;
    }

    private static string FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() is { } line ? $": {Shorten(line)}" : "";

    private static string Shorten(string text) => text.Length > 200 ? text[..200] + "…" : text;
}
