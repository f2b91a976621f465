using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Cerver.Relay.Compute.Sandboxes;

/// <summary>Sandbox ids: <c>sbx_</c> and 24 random lower-case letters and digits (about 124 bits).</summary>
public static partial class SandboxIds
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static string New() => "sbx_" + RandomNumberGenerator.GetString(Alphabet, 24);

    /// <summary>Whether a caller's id can be one of ours; anything else never reaches the disk.</summary>
    public static bool IsWellFormed(string? id) => id is not null && Shape().IsMatch(id);

    [GeneratedRegex("^sbx_[a-z0-9]{8,64}$")]
    private static partial Regex Shape();
}
