using System.Text;

namespace Cerver.Relay.Bench;

/// <summary>
/// Reads a run's server-sent events as raw bytes without keeping them: counts the bytes of
/// the <c>stdout</c> events' data lines and keeps the closing <c>exit</c> or <c>error</c>
/// event. Only the first bytes of each line are looked at, so tens of MiB cost one buffer.
/// </summary>
internal sealed class StdoutEventCounter
{
    private const int HeadBytes = 512;

    private readonly byte[] _head = new byte[HeadBytes];
    private int _headLength;
    private long _lineLength;
    private string? _event;

    public long StdoutBytes { get; private set; }

    /// <summary><c>exit</c> or <c>error</c> once the stream has closed the run; null before.</summary>
    public string? EndEvent { get; private set; }

    /// <summary>The closing event's data (its first <see cref="HeadBytes"/> bytes).</summary>
    public string? EndData { get; private set; }

    public void Feed(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var newline = bytes.IndexOf((byte)'\n');
            var part = newline < 0 ? bytes : bytes[..newline];
            var kept = Math.Min(part.Length, HeadBytes - _headLength);
            part[..kept].CopyTo(_head.AsSpan(_headLength));
            _headLength += kept;
            _lineLength += part.Length;
            if (newline < 0)
            {
                return;
            }

            EndLine();
            bytes = bytes[(newline + 1)..];
        }
    }

    private void EndLine()
    {
        var head = _head.AsSpan(0, _headLength);
        if (head.StartsWith("event: "u8))
        {
            _event = Encoding.UTF8.GetString(head["event: "u8.Length..]);
        }
        else if (head.StartsWith("data: "u8))
        {
            if (_event == "stdout")
            {
                StdoutBytes += _lineLength - "data: "u8.Length;
            }
            else if (_event is "exit" or "error")
            {
                EndEvent = _event;
                EndData = Encoding.UTF8.GetString(head["data: "u8.Length..]);
            }
        }

        _headLength = 0;
        _lineLength = 0;
    }
}
