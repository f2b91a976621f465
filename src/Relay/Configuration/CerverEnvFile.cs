using Cerver.Relay.Compute.Storage;

namespace Cerver.Relay.Configuration;

/// <summary>
/// <c>cerver.env</c>: <c>KEY=value</c> lines, shared with the <c>cerver</c> CLI. Unknown lines
/// are kept as they are when the file is rewritten, so neither tool loses the other's settings.
/// </summary>
public static class CerverEnvFile
{
    public static IReadOnlyDictionary<string, string> Read(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return values;
        }

        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line["export ".Length..].TrimStart();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                values[line[..equals].Trim()] = Unquote(line[(equals + 1)..].Trim());
            }
        }

        return values;
    }

    /// <summary>Sets or removes (null) keys, keeping every other line, with mode 0600.</summary>
    public static void Update(string path, IReadOnlyDictionary<string, string?> changes)
    {
        var lines = File.Exists(path) ? File.ReadAllLines(path).ToList() : [];
        var pending = new Dictionary<string, string?>(changes, StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var line in lines)
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            var key = equals > 0 ? line[..equals].Trim().Replace("export ", "", StringComparison.Ordinal).Trim() : null;
            if (key is not null && pending.Remove(key, out var value))
            {
                if (value is not null)
                {
                    result.Add($"{key}={value}");
                }

                continue;
            }

            result.Add(line);
        }

        result.AddRange(pending.Where(change => change.Value is not null).Select(change => $"{change.Key}={change.Value}"));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        FilePermissions.WritePrivateFile(path, string.Join('\n', result) + "\n");
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0] ? value[1..^1] : value;
}
