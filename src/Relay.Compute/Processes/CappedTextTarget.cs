using System.Buffers;
using System.Text;
using CliWrap;

namespace Cerver.Relay.Compute.Processes;

/// <summary>
/// Collects a stream's text up to a byte cap, then keeps draining without storing so the
/// process never blocks on a full pipe; <see cref="Truncated"/> says whether anything was cut.
/// </summary>
internal sealed class CappedTextTarget(int capBytes) : PipeTarget
{
    private readonly StringBuilder _text = new();
    private readonly Utf8ChunkDecoder _decoder = new();
    private long _stored;

    public bool Truncated { get; private set; }

    public string Text => _text.ToString();

    public override async Task CopyFromAsync(Stream origin, CancellationToken cancellationToken = default)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await origin.ReadAsync(buffer, cancellationToken)) > 0)
            {
                var room = (int)Math.Max(0, capBytes - _stored);
                var keep = Math.Min(room, read);
                if (keep > 0)
                {
                    _text.Append(_decoder.Decode(buffer.AsSpan(0, keep)));
                    _stored += keep;
                }

                if (keep < read)
                {
                    Truncated = true;
                }
            }

            _text.Append(_decoder.Decode([], final: true));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
