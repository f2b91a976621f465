using System.Security.Cryptography;
using Cerver.Relay.Compute.Storage;

namespace Cerver.Relay.Daemon;

/// <summary>The bearer token of the local API: 256 random bits, made at first start, readable only by the user.</summary>
public static class LocalToken
{
    public static string LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length >= 32)
            {
                FilePermissions.RestrictToOwner(path);
                return existing;
            }
        }

        FilePermissions.CreatePrivateDirectory(Path.GetDirectoryName(path)!);
        var token = "clt_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        FilePermissions.WritePrivateFile(path, token + "\n");
        return token;
    }

    public static string? TryRead(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : null;

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
