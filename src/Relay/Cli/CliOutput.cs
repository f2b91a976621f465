namespace Cerver.Relay.Cli;

/// <summary>Exit codes and the shape of human output shared by every verb.</summary>
public static class CliOutput
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadUsage = 2;

    /// <summary><c>status</c>: the daemon is not running.</summary>
    public const int NotRunning = 3;

    public static int Error(string message)
    {
        Console.Error.WriteLine($"cerver-relay: {message}");
        return Failed;
    }

    /// <summary>Prints label/value rows with the values aligned.</summary>
    public static void Table(IEnumerable<(string Label, string Value)> rows)
    {
        var list = rows.ToList();
        var width = list.Max(row => row.Label.Length) + 2;
        foreach (var (label, value) in list)
        {
            Console.WriteLine(label.PadRight(width) + value);
        }
    }
}
