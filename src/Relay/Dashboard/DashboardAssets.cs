using System.Collections.Frozen;

namespace Cerver.Relay.Dashboard;

/// <summary>
/// The dashboard's files, embedded in the binary (Relay.csproj: <c>dashboard/…</c>), so the page
/// works offline and from any install without a folder beside the executable.
/// </summary>
public sealed class DashboardAssets
{
    private const string Prefix = "dashboard/";

    private readonly FrozenDictionary<string, byte[]> _files;

    public DashboardAssets()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        _files = assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(Prefix, StringComparison.Ordinal))
            .ToFrozenDictionary(name => name[Prefix.Length..], name => Read(assembly.GetManifestResourceStream(name)!), StringComparer.Ordinal);
    }

    /// <summary>A file's bytes and content type, or null for a name that is not one of the dashboard's files.</summary>
    public (byte[] Bytes, string ContentType)? Find(string name) =>
        _files.TryGetValue(name, out var bytes) && ContentType(name) is { } type ? (bytes, type) : null;

    /// <summary>An HTML file as text, for the pages that fill in a value.</summary>
    public string Text(string name) => System.Text.Encoding.UTF8.GetString(_files[name]);

    private static string? ContentType(string name) => Path.GetExtension(name) switch
    {
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => null,
    };

    private static byte[] Read(Stream stream)
    {
        using (stream)
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }
    }
}
