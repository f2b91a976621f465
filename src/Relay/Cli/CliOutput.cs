using System.Globalization;
using System.Text.Json.Nodes;

namespace Cerver.Relay.Cli;

/// <summary>Exit codes and the shape of human output shared by every verb.</summary>
public static class CliOutput
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadUsage = 2;

    /// <summary><c>status</c>: the daemon is not running.</summary>
    public const int NotRunning = 3;

    /// <summary>Interrupted with Ctrl-C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;

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

    /// <summary>A JSON timestamp in local time, or a dash when there is none.</summary>
    public static string When(JsonNode? value) =>
        value is null ? "–" : DateTimeOffset.Parse(value.GetValue<string>(), CultureInfo.InvariantCulture).ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
