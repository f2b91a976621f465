using System.Security.Cryptography;
using System.Text;

namespace Cerver.Gateway.Embedded.Accounts;

/// <summary>How the gateway makes secrets and ids, and the only form in which it stores a secret: its SHA-256.</summary>
public static class Secrets
{
    private const string IdAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>A secret of 256 random bits with a recognisable prefix (<c>crk_…</c>).</summary>
    public static string New(string prefix) => prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string NewId(string prefix) => prefix + RandomNumberGenerator.GetString(IdAlphabet, 20);

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
