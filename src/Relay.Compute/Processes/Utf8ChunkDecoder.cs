using System.Text;

namespace Cerver.Relay.Compute.Processes;

/// <summary>Turns a byte stream into text chunks without splitting a multi-byte character.</summary>
internal sealed class Utf8ChunkDecoder
{
    private readonly Decoder _decoder = new UTF8Encoding(false, false).GetDecoder();
    private char[] _chars = new char[8192];

    public string Decode(ReadOnlySpan<byte> bytes, bool final = false)
    {
        var needed = _decoder.GetCharCount(bytes, final);
        if (needed > _chars.Length)
        {
            _chars = new char[Math.Max(needed, _chars.Length * 2)];
        }

        var count = _decoder.GetChars(bytes, _chars, final);
        return new string(_chars, 0, count);
    }
}
