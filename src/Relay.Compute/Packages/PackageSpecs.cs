namespace Cerver.Relay.Compute.Packages;

/// <summary>
/// Tells a local package (a folder or archive in the workspace) from one a registry or URL
/// serves. Local ones are resolved only in the offline phase, inside the sandbox: the fetch
/// phase cannot see the workspace, by design.
/// </summary>
public static class PackageSpecs
{
    private static readonly string[] NpmArchives = [".tgz", ".tar.gz", ".tar"];

    private static readonly string[] PythonArchives = [".whl", ".tar.gz", ".zip", ".tar.bz2"];

    /// <summary>npm: <c>./dir</c>, <c>/abs</c>, <c>~/x</c>, <c>file:x</c>, <c>x.tgz</c>, or an alias of one (<c>name@file:x</c>, <c>name@./x</c>).</summary>
    public static bool IsLocalForNpm(string spec)
    {
        var at = spec.LastIndexOf('@');
        return IsLocalNpmTarget(spec) || (at > 0 && IsLocalNpmTarget(spec[(at + 1)..]));
    }

    /// <summary>pip and uv: a path (it starts with '.', '/', '~', or holds a '/' and no URL scheme) or an archive file name.</summary>
    public static bool IsLocalForPython(string spec) =>
        IsPath(spec) || (!IsUrl(spec) && (spec.Contains('/', StringComparison.Ordinal) || EndsWithAny(spec, PythonArchives)));

    private static bool IsLocalNpmTarget(string spec) => IsPath(spec) || (!IsUrl(spec) && EndsWithAny(spec, NpmArchives));

    private static bool IsPath(string spec) =>
        spec.StartsWith('.') || spec.StartsWith('/') || spec.StartsWith('~') || spec.StartsWith("file:", StringComparison.OrdinalIgnoreCase);

    private static bool IsUrl(string spec) => spec.Contains("://", StringComparison.Ordinal);

    private static bool EndsWithAny(string spec, string[] suffixes) =>
        suffixes.Any(suffix => spec.EndsWith(suffix, StringComparison.OrdinalIgnoreCase));
}
