using System.Security.Cryptography;
using System.Text;

namespace Cerver.Relay.Update;

/// <summary>Checks a release's <c>SHA256SUMS</c> against its signature, then a downloaded file against the sums.</summary>
public sealed class ReleaseVerifier(UpdateTrust trust)
{
    /// <summary>Verifies the signature and returns the file name → lowercase hex SHA-256 table.</summary>
    public IReadOnlyDictionary<string, string> VerifySums(string tag, byte[] sums, byte[] signature)
    {
        if (!trust.Verifies(sums, signature))
        {
            throw new UpdateException($"the signature of SHA256SUMS in release {tag} does not verify against this relay's signing key: the release was not signed by its publisher, or was altered. Nothing was changed.");
        }

        return ParseSums(Encoding.UTF8.GetString(sums));
    }

    public static void VerifyFile(string path, string assetName, IReadOnlyDictionary<string, string> sums)
    {
        if (!sums.TryGetValue(assetName, out var expected))
        {
            throw new UpdateException($"SHA256SUMS has no line for {assetName}, so it cannot be verified. Nothing was changed.");
        }

        using var stream = File.OpenRead(path);
        var actual = Convert.ToHexStringLower(SHA256.HashData(stream));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(actual), Encoding.ASCII.GetBytes(expected)))
        {
            throw new UpdateException($"the checksum of the downloaded {assetName} does not match SHA256SUMS (the download is damaged or altered). Nothing was changed; try again.");
        }
    }

    /// <summary>Reads <c>sha256sum</c> output: <c>&lt;hex&gt;  &lt;file&gt;</c> (or <c>*&lt;file&gt;</c> for binary mode).</summary>
    public static IReadOnlyDictionary<string, string> ParseSums(string text)
    {
        var sums = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space != 64 || line.Length < 67)
            {
                continue;
            }

            var name = line[(space + 1)..].TrimStart(' ').TrimStart('*');
            sums[Path.GetFileName(name)] = line[..space].ToLowerInvariant();
        }

        return sums;
    }
}
