namespace Cerver.Relay.Service;

/// <summary>
/// What <c>cerver-relay uninstall</c> removes, decided before anything is touched: the binaries
/// (<c>bin/cerver-relay</c>, <c>versions/</c>), the native library a single-file build extracts
/// (<c>~/.net/cerver-relay/</c>, or under <c>DOTNET_BUNDLE_EXTRACT_BASE_DIR</c>) and, unless data is
/// kept, the relay's data (<c>relay/</c>, <c>cerver.env</c>). Only entries it knows by name, each
/// strictly inside its owner folder, are ever deleted; a folder is removed only once empty, and
/// anything else is left and reported.
/// </summary>
public sealed record UninstallPlan(string CerverHome, IReadOnlyList<string> Remove, IReadOnlyList<string> RemoveIfEmpty)
{
    /// <summary>The folder the single-file host extracts native libraries to, named after the app.</summary>
    public const string ExtractFolderName = "cerver-relay";

    private static readonly string[] Binaries = ["bin/cerver-relay", "versions"];
    private static readonly string[] Data = ["relay", "cerver.env"];

    /// <param name="home">The user's home (HOME), which is never removed nor any folder above it.</param>
    /// <param name="extractBase">DOTNET_BUNDLE_EXTRACT_BASE_DIR when set.</param>
    public static UninstallPlan Make(string cerverHome, string home, string? extractBase, bool keepData)
    {
        var root = Owner(cerverHome, home, "CERVER_HOME");
        var remove = new List<string>();
        var ifEmpty = new List<string>();
        foreach (var entry in keepData ? Binaries : [.. Binaries, .. Data])
        {
            remove.Add(Inside(root, entry));
        }

        var bin = Inside(root, "bin");
        if (Directory.Exists(bin))
        {
            // Leftovers of an interrupted install or update (".cerver-relay.incoming.<pid>").
            remove.AddRange(Directory.EnumerateFileSystemEntries(bin, ".cerver-relay.incoming.*").Select(path => Inside(root, Path.GetRelativePath(root, path))));
        }

        ifEmpty.Add(bin);
        if (!keepData)
        {
            ifEmpty.Add(root);
        }

        if (home.Length > 0 || extractBase is { Length: > 0 })
        {
            var extractRoot = extractBase is { Length: > 0 } ? Rooted(extractBase, "DOTNET_BUNDLE_EXTRACT_BASE_DIR") : Inside(Rooted(home, "HOME"), ".net");
            remove.Add(Inside(extractRoot, ExtractFolderName));
            if (extractBase is not { Length: > 0 })
            {
                ifEmpty.Add(extractRoot);
            }
        }

        return new UninstallPlan(root, remove, ifEmpty);
    }

    /// <summary>What exists now of what this plan removes, for the confirmation.</summary>
    public IEnumerable<string> Existing() => Remove.Where(path => File.Exists(path) || Directory.Exists(path) || IsLink(path));

    /// <summary>Removes what the plan names; returns the entries left in the folders it would have removed.</summary>
    public IReadOnlyList<string> Apply()
    {
        foreach (var path in Remove)
        {
            if (IsLink(path) || File.Exists(path))
            {
                File.Delete(path);
            }
            else if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }

        var left = new List<string>();
        foreach (var folder in RemoveIfEmpty)
        {
            if (!Directory.Exists(folder))
            {
                continue;
            }

            var entries = Directory.EnumerateFileSystemEntries(folder).ToList();
            if (entries.Count == 0)
            {
                Directory.Delete(folder);
            }
            else if (folder == CerverHome || folder == Inside(CerverHome, "bin"))
            {
                left.AddRange(entries.Where(entry => !RemoveIfEmpty.Contains(entry)));
            }
        }

        return left;
    }

    private static bool IsLink(string path) => new FileInfo(path).LinkTarget is not null;

    private static string Rooted(string path, string name) =>
        path.Length > 0 && Path.IsPathRooted(path)
            ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(path))
            : throw new ServiceException($"{name} is '{path}', not an absolute path; uninstall removes nothing it cannot place.");

    /// <summary>CERVER_HOME as a folder uninstall may empty: absolute, and neither the root, HOME, nor a folder above HOME.</summary>
    private static string Owner(string cerverHome, string home, string name)
    {
        var root = Rooted(cerverHome, name);
        var user = home.Length > 0 && Path.IsPathRooted(home) ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(home)) : null;
        if (root == Path.GetPathRoot(root) || (user is not null && (user == root || user.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))))
        {
            throw new ServiceException($"{name} is {root}, which holds more than the relay; uninstall refuses to remove anything there. Remove the relay's files by hand: {string.Join(", ", Binaries.Concat(Data).Select(entry => Path.Combine(root, entry)))}.");
        }

        return root;
    }

    /// <summary>A path strictly inside <paramref name="folder"/>, or an exception: a computed path never escapes its owner.</summary>
    public static string Inside(string folder, string relative)
    {
        var path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(folder, relative)));
        return relative.Length > 0 && !Path.IsPathRooted(relative) && path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? path
            : throw new ServiceException($"'{relative}' is not inside {folder}; uninstall removes nothing outside the folders it owns.");
    }
}
