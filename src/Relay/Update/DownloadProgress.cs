namespace Cerver.Relay.Update;

/// <summary>How a download shows its progress: a redrawn bar on a terminal, plain lines otherwise, nothing in the daemon.</summary>
public interface IDownloadProgress
{
    void Start(string name, long? totalBytes);
    void Advance(long receivedBytes);
    void Finish();

    static IDownloadProgress ForConsole() => Console.IsOutputRedirected ? new LineProgress() : new TerminalProgress();
}

public sealed class SilentProgress : IDownloadProgress
{
    public static SilentProgress Instance { get; } = new();

    public void Start(string name, long? totalBytes)
    {
    }

    public void Advance(long receivedBytes)
    {
    }

    public void Finish()
    {
    }
}

/// <summary>One line when a download starts and one when it ends, for logs and pipes.</summary>
public sealed class LineProgress : IDownloadProgress
{
    private string _name = "";
    private long _received;

    public void Start(string name, long? totalBytes)
    {
        _name = name;
        Console.WriteLine($"downloading {name}{(totalBytes is { } total ? $" ({Size(total)})" : "")}");
    }

    public void Advance(long receivedBytes) => _received = receivedBytes;

    public void Finish() => Console.WriteLine($"downloaded {_name} ({Size(_received)})");

    internal static string Size(long bytes) => bytes >= 1024 * 1024 ? $"{bytes / 1024.0 / 1024.0:0.0} MiB" : $"{bytes / 1024.0:0.0} KiB";
}

/// <summary>A bar redrawn in place with a carriage return, at most a few times a second.</summary>
public sealed class TerminalProgress : IDownloadProgress
{
    private const int Width = 30;
    private string _name = "";
    private long? _total;
    private long _received;
    private long _lastDrawn = -1;

    public void Start(string name, long? totalBytes)
    {
        (_name, _total) = (name, totalBytes);
        Draw();
    }

    public void Advance(long receivedBytes)
    {
        _received = receivedBytes;
        if (_received - _lastDrawn >= 64 * 1024)
        {
            Draw();
        }
    }

    public void Finish()
    {
        Draw();
        Console.WriteLine();
    }

    private void Draw()
    {
        _lastDrawn = _received;
        if (_total is > 0 and var total)
        {
            var filled = (int)(Width * Math.Min(1.0, _received / (double)total));
            Console.Write($"\r{_name} [{new string('#', filled)}{new string('.', Width - filled)}] {LineProgress.Size(_received)} / {LineProgress.Size(total)}  ");
        }
        else
        {
            Console.Write($"\r{_name} {LineProgress.Size(_received)}  ");
        }
    }
}
