using System.Globalization;
using System.Text.Json;
using Cerver.Relay.Compute.Storage;

namespace Cerver.Relay.Reports;

/// <summary>The next reports to push, all of one kind (entries go in batches, metadata and status one at a time), and where they end in the file.</summary>
public sealed record OutboxBatch(string Kind, IReadOnlyList<OutboxItem> Items, long End)
{
    /// <summary>Lines in the range that could not be read back (a damaged file): skipped with the batch.</summary>
    public int Unreadable { get; init; }
}

/// <summary>
/// One Cerver session's reports that its gateway has not acknowledged yet, in the order they were
/// made: <c>&lt;session&gt;.jsonl</c>, one JSON item a line, appended and flushed before
/// <see cref="Append"/> returns, and <c>&lt;session&gt;.sent</c>, the byte offset up to which the
/// gateway has them (replaced atomically). Nothing is rewritten in place: once everything is sent
/// both files go, so an offset never moves under a reader. A line cut short by a crash is cut off
/// when the outbox is opened again.
/// </summary>
public sealed class SessionOutbox
{
    private const byte NewLine = (byte)'\n';
    private readonly Lock _lock = new();
    private readonly string _itemsPath;
    private readonly string _sentPath;
    private long _sent;
    private long _length;
    private bool _pumping;

    private SessionOutbox(string directory, string sessionId)
    {
        SessionId = sessionId;
        _itemsPath = Path.Combine(directory, sessionId + FileExtension);
        _sentPath = Path.Combine(directory, sessionId + ".sent");
    }

    public const string FileExtension = ".jsonl";

    public string SessionId { get; }

    /// <summary>Reports written and not yet acknowledged.</summary>
    public int Pending { get; private set; }

    /// <summary>Opens the outbox of <paramref name="sessionId"/> (a name <see cref="IsStorable"/> accepts), reading back what an earlier run left.</summary>
    public static SessionOutbox Open(string directory, string sessionId)
    {
        var outbox = new SessionOutbox(directory, sessionId);
        outbox.Load();
        return outbox;
    }

    /// <summary>A session id that is safe as a file name here; others cannot be reported.</summary>
    public static bool IsStorable(string sessionId) =>
        sessionId.Length is > 0 and <= 128 && sessionId[0] != '.' && sessionId.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    /// <summary>Writes the item after the others; returns true when no pump is pushing this outbox (the caller starts one).</summary>
    public bool Append(OutboxItem item)
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(item, OutboxJsonContext.Default.OutboxItem);
        lock (_lock)
        {
            var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(_itemsPath, options))
            {
                // One write per line, so a crash leaves at most the last line short; the page cache
                // outlives the process, which is the crash this guards against.
                var buffer = new byte[line.Length + 1];
                line.CopyTo(buffer, 0);
                buffer[^1] = NewLine;
                stream.Write(buffer);
                stream.Flush();
                _length = stream.Length;
            }

            Pending++;
            var start = !_pumping;
            _pumping = true;
            return start;
        }
    }

    /// <summary>The next batch: up to <paramref name="maxEntries"/> entries within about <paramref name="maxBytes"/>, or one metadata or status item; null when nothing is pending.</summary>
    public OutboxBatch? Next(int maxEntries, int maxBytes)
    {
        lock (_lock)
        {
            if (_sent >= _length)
            {
                return null;
            }

            using var stream = new FileStream(_itemsPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Position = _sent;
            var items = new List<OutboxItem>();
            string? kind = null;
            var end = _sent;
            var bytes = 0L;
            var unreadable = 0;
            while (end < _length)
            {
                var line = ReadLine(stream, _length);
                var item = Parse(line);
                if (item is null)
                {
                    unreadable++;
                    end += line.Length + 1;
                    continue;
                }

                var fits = kind is null || (kind == OutboxItemKind.Entry && item.Kind == OutboxItemKind.Entry && items.Count < maxEntries && bytes + line.Length <= maxBytes);
                if (!fits)
                {
                    break;
                }

                kind = item.Kind;
                items.Add(item);
                bytes += line.Length;
                end += line.Length + 1;
                if (kind != OutboxItemKind.Entry)
                {
                    break;
                }
            }

            return new OutboxBatch(kind ?? OutboxItemKind.Entry, items, end) { Unreadable = unreadable };
        }
    }

    /// <summary>The gateway has the batch (or refused it for good): it is never sent again. Everything sent, the files go.</summary>
    public void Acknowledge(OutboxBatch batch)
    {
        lock (_lock)
        {
            _sent = Math.Max(_sent, batch.End);
            Pending = Math.Max(0, Pending - batch.Items.Count - batch.Unreadable);
            if (_sent >= _length)
            {
                Clear();
            }
            else
            {
                FilePermissions.WritePrivateFile(_sentPath, _sent.ToString(CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>Drops everything pending (the gateway refuses the whole session); returns how many reports went.</summary>
    public int DropAll()
    {
        lock (_lock)
        {
            var dropped = Pending;
            Clear();
            return dropped;
        }
    }

    /// <summary>The pump found nothing to push: it stops, unless an item came in since, which it then pushes too.</summary>
    public bool TryStopPumping()
    {
        lock (_lock)
        {
            _pumping = _sent < _length;
            return !_pumping;
        }
    }

    /// <summary>An outbox left by an earlier run with reports in it needs a pump; returns true once, for the caller to start it.</summary>
    public bool ClaimPump()
    {
        lock (_lock)
        {
            if (_pumping || _sent >= _length)
            {
                return false;
            }

            _pumping = true;
            return true;
        }
    }

    private void Clear()
    {
        // The items first: a crash in between leaves a stale offset with no items, which Load discards.
        File.Delete(_itemsPath);
        File.Delete(_sentPath);
        _sent = 0;
        _length = 0;
        Pending = 0;
    }

    private void Load()
    {
        if (!File.Exists(_itemsPath))
        {
            File.Delete(_sentPath);
            return;
        }

        using var stream = new FileStream(_itemsPath, FileMode.Open, FileAccess.ReadWrite);
        _length = EndOfLastLine(stream);
        if (_length < stream.Length)
        {
            stream.SetLength(_length);
        }

        _sent = File.Exists(_sentPath) && long.TryParse(File.ReadAllText(_sentPath).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var sent)
            ? Math.Clamp(sent, 0, _length)
            : 0;
        stream.Position = _sent;
        Pending = CountLines(stream);
    }

    /// <summary>Where the last complete line ends: past it is a line a crash cut short.</summary>
    private static long EndOfLastLine(FileStream stream)
    {
        var buffer = new byte[64 * 1024];
        var position = stream.Length;
        while (position > 0)
        {
            var size = (int)Math.Min(buffer.Length, position);
            position -= size;
            stream.Position = position;
            stream.ReadExactly(buffer, 0, size);
            var last = Array.LastIndexOf(buffer, NewLine, size - 1, size);
            if (last >= 0)
            {
                return position + last + 1;
            }
        }

        return 0;
    }

    private static int CountLines(FileStream stream)
    {
        var buffer = new byte[64 * 1024];
        var count = 0;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            count += buffer.AsSpan(0, read).Count(NewLine);
        }

        return count;
    }

    /// <summary>The bytes of the line at the stream's position, without its line break (every line before <paramref name="length"/> has one).</summary>
    private static byte[] ReadLine(FileStream stream, long length)
    {
        var line = new MemoryStream();
        int next;
        while (stream.Position < length && (next = stream.ReadByte()) is >= 0 and not NewLine)
        {
            line.WriteByte((byte)next);
        }

        return line.ToArray();
    }

    private static OutboxItem? Parse(byte[] line)
    {
        try
        {
            var item = JsonSerializer.Deserialize(line, OutboxJsonContext.Default.OutboxItem);
            return item?.Kind switch
            {
                OutboxItemKind.Entry when item.Entry is not null => item,
                OutboxItemKind.Metadata when item.Metadata is not null => item,
                OutboxItemKind.Status when item.Status is not null => item,
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
