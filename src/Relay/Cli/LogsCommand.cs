using System.CommandLine;
using System.Text;

namespace Cerver.Relay.Cli;

/// <summary>
/// <c>cerver-relay logs [-f] [-n N]</c>: the last lines of the daemon's log files in
/// <c>relay/logs/</c> of this <c>CERVER_HOME</c>, and with <c>-f</c> the lines as they are
/// written, across the daily and size rolls, until Ctrl-C.
/// </summary>
public static class LogsCommand
{
    /// <summary>How often <c>-f</c> looks for new lines and a newer file.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    public static Command Create()
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing lines as the daemon writes them, across log rolls (Ctrl-C to stop)." };
        var lines = new Option<int>("--lines", "-n") { Description = "How many of the latest lines to print first (0 or more).", DefaultValueFactory = _ => 50 };
        lines.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--lines (-n) must be a whole number of 0 or more.");
            }
        });
        var command = new Command("logs", "Print the daemon's latest log lines (relay/logs/ in CERVER_HOME); -f follows them.") { follow, lines };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!CliSettings.TryLoad(out var settings))
            {
                return ExitCodes.Failed;
            }

            var folder = new LogFolder(settings.Paths.LogsDirectory);
            // Where the tail ends is where following starts: no line is lost or printed twice in between.
            var end = folder.End();
            var newest = end?.File;
            if (newest is null && !parse.GetValue(follow))
            {
                return CliOutput.Error($"no log files in {folder.Directory} yet: the daemon writes them once it runs ('cerver-relay run' or 'cerver-relay service start'; is CERVER_HOME the daemon's?).");
            }

            foreach (var line in folder.Tail(parse.GetValue(lines), end))
            {
                Console.WriteLine(Colour(line));
            }

            if (!parse.GetValue(follow))
            {
                return ExitCodes.Ok;
            }

            if (newest is null)
            {
                Console.Error.WriteLine($"cerver-relay: waiting for the daemon to write its first log file in {folder.Directory} (Ctrl-C stops).");
            }

            using var ctrlC = new CtrlC(cancellationToken);
            try
            {
                await folder.FollowAsync(end, line => Console.WriteLine(Colour(line)), TimeProvider.System, ctrlC.Token);
            }
            catch (OperationCanceledException) when (ctrlC.Token.IsCancellationRequested)
            {
                // Ctrl-C: stop following, as tail -f would, without a word.
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Warnings and errors stand out on a terminal (never in a pipe, never with NO_COLOR).</summary>
    private static string Colour(string line) =>
        line.Contains(" [ERR] ", StringComparison.Ordinal) || line.Contains(" [FTL] ", StringComparison.Ordinal) ? CliOutput.Paint(line, CliOutput.Red)
        : line.Contains(" [WRN] ", StringComparison.Ordinal) ? CliOutput.Paint(line, CliOutput.Yellow)
        : line;
}

/// <summary>
/// The daemon's Serilog file sink folder: <c>relay-YYYYMMDD.log</c>, then <c>relay-YYYYMMDD_001.log</c>
/// and so on when a file reaches its size limit; ordinal order of the names is the order they were written.
/// </summary>
public sealed class LogFolder(string directory)
{
    public const string Pattern = "relay-*.log";

    public string Directory { get; } = directory;

    /// <summary>The log files, oldest first.</summary>
    public IReadOnlyList<string> Files() =>
        System.IO.Directory.Exists(Directory)
            ? [.. System.IO.Directory.EnumerateFiles(Directory, Pattern).Order(StringComparer.Ordinal)]
            : [];

    public string? Newest() => Files() is { Count: > 0 } files ? files[^1] : null;

    /// <summary>The newest file and its length now, or null when there is none.</summary>
    public LogPosition? End() => Newest() is { } newest ? new LogPosition(newest, new FileInfo(newest).Length) : null;

    /// <summary>The last <paramref name="count"/> lines over every file up to <paramref name="end"/>, oldest first.</summary>
    public IReadOnlyList<string> Tail(int count, LogPosition? end)
    {
        var kept = new List<string>();
        if (count <= 0)
        {
            return kept;
        }

        // Newest file first, going back only as far as the lines asked for.
        foreach (var file in Files().Where(file => end is null || string.CompareOrdinal(file, end.File) <= 0).Reverse())
        {
            var last = new Queue<string>(count);
            using var stream = OpenShared(file);
            using (var reader = new StreamReader(file == end?.File ? new BoundedStream(stream, end.Length) : stream, Encoding.UTF8))
            {
                while (reader.ReadLine() is { } line)
                {
                    if (last.Count == count)
                    {
                        last.Dequeue();
                    }

                    last.Enqueue(line);
                }
            }

            kept.InsertRange(0, last.TakeLast(count - kept.Count));
            if (kept.Count >= count)
            {
                break;
            }
        }

        return kept;
    }

    /// <summary>
    /// Prints each complete line appended from now on; when a newer file appears (a daily or size
    /// roll), the rest of the current file is read first, then the new one from its start.
    /// </summary>
    public async Task FollowAsync(LogPosition? from, Action<string> write, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(time);
        var current = from?.File;
        var position = from?.Length ?? 0;
        var pending = new StringBuilder();
        var decoder = Encoding.UTF8.GetDecoder();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var newest = Newest();
            if (current is not null)
            {
                position = Drain(current, position, decoder, pending, write);
            }

            if (newest is not null && newest != current)
            {
                // Rolled: what was left of the old file is out; a line it did not finish is printed as it is.
                if (pending.Length > 0)
                {
                    write(pending.ToString());
                    pending.Clear();
                }

                current = newest;
                position = 0;
                decoder.Reset();
                continue;
            }

            await Task.Delay(LogsCommand.PollInterval, time, cancellationToken);
        }
    }

    private static long Drain(string file, long position, Decoder decoder, StringBuilder pending, Action<string> write)
    {
        FileStream stream;
        try
        {
            stream = OpenShared(file);
        }
        catch (FileNotFoundException)
        {
            return position; // deleted by the retention limit; the newest file takes over
        }

        using (stream)
        {
            if (stream.Length < position)
            {
                position = 0; // truncated: start again from the top
            }

            stream.Position = position;
            var bytes = new byte[64 * 1024];
            var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
            int read;
            while ((read = stream.Read(bytes, 0, bytes.Length)) > 0)
            {
                var count = decoder.GetChars(bytes, 0, read, chars, 0);
                for (var i = 0; i < count; i++)
                {
                    if (chars[i] == '\n')
                    {
                        write(pending.ToString().TrimEnd('\r'));
                        pending.Clear();
                    }
                    else
                    {
                        pending.Append(chars[i]);
                    }
                }
            }

            return stream.Position;
        }
    }

    private static FileStream OpenShared(string file) =>
        new(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
}

/// <summary>A place in the log: a file and a byte offset in it.</summary>
public sealed record LogPosition(string File, long Length);

/// <summary>The first <c>length</c> bytes of a stream, read forwards only.</summary>
internal sealed class BoundedStream(Stream inner, long length) : Stream
{
    private long _left = length;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_left <= 0)
        {
            return 0;
        }

        var read = inner.Read(buffer, offset, (int)Math.Min(count, _left));
        _left -= read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
