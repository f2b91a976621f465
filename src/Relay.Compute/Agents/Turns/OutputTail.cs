using System.Buffers;
using System.Text;
using CliWrap;

namespace Cerver.Relay.Compute.Agents.Turns;

/// <summary>
/// Keeps the last bytes of a stream (an agent's stderr): enough to tell a reader why a turn
/// failed, never the whole of a chatty CLI's log.
/// </summary>
internal sealed class OutputTail(int capBytes, Action onActivity) : PipeTarget
{
    private readonly byte[] _tail = new byte[capBytes];
    private int _length;

    public string Text
    {
        get
        {
            lock (_tail)
            {
                return new UTF8Encoding(false, false).GetString(_tail, 0, _length).Trim();
            }
        }
    }

    public override async Task CopyFromAsync(Stream origin, CancellationToken cancellationToken = default)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await origin.ReadAsync(buffer, cancellationToken)) > 0)
            {
                onActivity();
                Append(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        lock (_tail)
        {
            if (bytes.Length >= _tail.Length)
            {
                bytes[^_tail.Length..].CopyTo(_tail);
                _length = _tail.Length;
                return;
            }

            var keep = Math.Min(_length, _tail.Length - bytes.Length);
            _tail.AsSpan(_length - keep, keep).CopyTo(_tail);
            bytes.CopyTo(_tail.AsSpan(keep));
            _length = keep + bytes.Length;
        }
    }
}
