using System.Globalization;
using System.Text.Json.Nodes;

namespace Cerver.Relay.Cli;

/// <summary>The shape of human output shared by every verb (exit codes: <see cref="ExitCodes"/>).</summary>
public static class CliOutput
{
    public static int Error(string message)
    {
        Console.Error.WriteLine($"{Paint("cerver-relay:", Red, Console.IsErrorRedirected)} {message}");
        return ExitCodes.Failed;
    }

    public const string Red = "31";
    public const string Green = "32";
    public const string Yellow = "33";

    /// <summary>
    /// Colour only for a person at a terminal: never when the stream is redirected (a pipe, a
    /// file, a test), when <c>NO_COLOR</c> is set to anything (no-color.org), or on a dumb terminal.
    /// </summary>
    public static bool ColourWanted(bool redirected) =>
        !redirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
        && Environment.GetEnvironmentVariable("TERM") is not "dumb";

    /// <summary><paramref name="text"/> in an ANSI colour when <see cref="ColourWanted"/>; as it is otherwise.</summary>
    public static string Paint(string text, string colour, bool redirected) =>
        ColourWanted(redirected) ? $"\u001b[{colour}m{text}\u001b[0m" : text;

    /// <summary><see cref="Paint(string, string, bool)"/> for standard output.</summary>
    public static string Paint(string text, string colour) => Paint(text, colour, Console.IsOutputRedirected);

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
