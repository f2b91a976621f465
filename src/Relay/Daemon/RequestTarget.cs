using System.Text.Unicode;

namespace Cerver.Relay.Daemon;

/// <summary>
/// Checks a request target as it came over the wire. Kestrel keeps a broken escape such as
/// <c>%zz</c> or an encoded overlong UTF-8 sequence as literal text in the path, where an
/// endpoint would treat it as a name; such a target is malformed input, refused before routing.
/// </summary>
public static class RequestTarget
{
    /// <summary>True when every escape is two hex digits and the decoded path and query are UTF-8 without control characters.</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> target)
    {
        // The target is at most Kestrel's request-line limit (8 KiB), so the decoded bytes fit on the stack.
        Span<byte> decoded = target.Length <= 1024 ? stackalloc byte[target.Length] : new byte[target.Length];
        var length = 0;
        for (var i = 0; i < target.Length; i++)
        {
            var c = target[i];
            if (c == '%')
            {
                if (i + 2 >= target.Length || !char.IsAsciiHexDigit(target[i + 1]) || !char.IsAsciiHexDigit(target[i + 2]))
                {
                    return false;
                }

                decoded[length++] = (byte)((HexValue(target[i + 1]) << 4) | HexValue(target[i + 2]));
                i += 2;
            }
            else if (c > 0x7F)
            {
                return false;
            }
            else
            {
                decoded[length++] = (byte)c;
            }
        }

        var bytes = decoded[..length];
        return Utf8.IsValid(bytes) && !bytes.ContainsAnyInRange((byte)0, (byte)0x1F) && !bytes.Contains((byte)0x7F);
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
