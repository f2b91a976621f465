using System.Reflection;
using System.Security.Cryptography;

namespace Cerver.Relay.Update;

/// <summary>
/// The public key release signatures must verify against. The release build stamps it into the
/// binary (<c>-p:CerverUpdatePublicKey=…</c>, base64 DER SubjectPublicKeyInfo), so a fork or a
/// test signs with a key of its own; a binary built without one refuses every update.
/// </summary>
public sealed class UpdateTrust
{
    public const string MetadataKey = "CerverUpdatePublicKey";

    private UpdateTrust(string? publicKey) => PublicKey = publicKey;

    /// <summary>Base64 DER SubjectPublicKeyInfo, or null when none was built in.</summary>
    public string? PublicKey { get; }

    public static UpdateTrust BuiltIn { get; } = new(
        typeof(UpdateTrust).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(attribute => attribute.Key == MetadataKey)?.Value is { Length: > 0 } key ? key : null);

    public static UpdateTrust FromPublicKey(string base64SubjectPublicKeyInfo) => new(base64SubjectPublicKeyInfo);

    /// <summary>True when <paramref name="signature"/> (DER, RFC 3279) is an ECDSA P-256/SHA-256 signature of <paramref name="data"/> by the trusted key.</summary>
    public bool Verifies(byte[] data, byte[] signature)
    {
        if (PublicKey is null)
        {
            throw new UpdateException("this build of cerver-relay has no update signing key built in, so it cannot verify releases and refuses to update; install new versions with install-cerver.sh.");
        }

        using var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(PublicKey), out _);
        }
        catch (Exception exception) when (exception is FormatException or CryptographicException)
        {
            throw new UpdateException("the update signing key built into this binary is not a valid public key; reinstall with install-cerver.sh.", exception);
        }

        try
        {
            return key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
