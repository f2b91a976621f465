using System.Security.Cryptography;

namespace Cerver.Gateway.Embedded.Accounts;

/// <summary>
/// The code a person types to approve a device: eight characters from upper-case consonants
/// (RFC 8628 section 6.1: no vowels, so no words; no look-alikes such as 0/O or 1/I), shown
/// as <c>XXXX-XXXX</c>. Stored and compared without the dash.
/// </summary>
public static class UserCode
{
    public const string Alphabet = "BCDFGHJKLMNPQRSTVWXZ";

    public static string New() => RandomNumberGenerator.GetString(Alphabet, 8);

    public static string Format(string code) => $"{code[..4]}-{code[4..]}";

    /// <summary>What a person typed, as stored: upper case, dash and spaces removed; null when it cannot be a code.</summary>
    public static string? Normalize(string? typed)
    {
        if (typed is null)
        {
            return null;
        }

        var bare = new string([.. typed.Where(c => c is not ('-' or ' ')).Select(char.ToUpperInvariant)]);
        return bare.Length == 8 && bare.All(Alphabet.Contains) ? bare : null;
    }
}
