using System.CommandLine;
using System.CommandLine.Invocation;
using System.Text.RegularExpressions;

namespace Cerver.Relay.Cli;

/// <summary>
/// Runs the parsed command line so that every failure is one sentence on stderr with its own
/// exit code (<see cref="ExitCodes"/>): parse errors name the option and the value it wants,
/// a <see cref="CliExitException"/> is printed as it is, and anything else is cut to its message.
/// </summary>
public static partial class CliErrors
{
    public static async Task<int> InvokeAsync(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        // --help and --version answer even when the rest of the line is incomplete.
        if (parse.Errors.Count > 0 && parse.Action is ParseErrorAction)
        {
            return Usage(parse);
        }

        try
        {
            // The daemon drains on SIGTERM for longer than System.CommandLine's 2-second default would
            // wait, so the host's own lifetime handles termination signals.
            return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
        }
        catch (CliExitException failure)
        {
            return Print(failure.Message, failure.ExitCode);
        }
        catch (OperationCanceledException)
        {
            return Print("cancelled.", ExitCodes.Cancelled);
        }
        catch (Exception exception)
        {
            return Print($"unexpected error ({exception.GetType().Name}: {exception.Message.TrimEnd('.')}). Please report it, with the log under CERVER_HOME/relay/logs/ if the daemon was running.", ExitCodes.Failed);
        }
    }

    public static int Print(string message, int exitCode)
    {
        CliOutput.Error(message);
        return exitCode;
    }

    private static int Usage(ParseResult parse)
    {
        var verb = string.Join(' ', CommandPath(parse.CommandResult.Command));
        var help = verb.Length == 0 ? "cerver-relay --help" : $"cerver-relay {verb} --help";
        var error = parse.Errors[0].Message;
        var message = error.StartsWith("Required command was not provided", StringComparison.Ordinal)
            ? $"name a command{(verb.Length == 0 ? "" : $" after '{verb}'")}; '{help}' lists them."
            : $"{Friendly(error).TrimEnd('.')}. See '{help}'.";
        return Print(message, ExitCodes.Usage);
    }

    /// <summary>System.CommandLine names the CLR type it could not convert to (<c>System.Nullable`1[System.Int32]</c>); say what kind of value that is.</summary>
    private static string Friendly(string error)
    {
        var match = ConversionError().Match(error);
        if (!match.Success)
        {
            return error;
        }

        var kind = match.Groups["type"].Value switch
        {
            var type when type.Contains("Int32", StringComparison.Ordinal) || type.Contains("Int64", StringComparison.Ordinal) => "a whole number",
            var type when type.Contains("Double", StringComparison.Ordinal) || type.Contains("Decimal", StringComparison.Ordinal) => "a number",
            var type when type.Contains("Boolean", StringComparison.Ordinal) => "true or false",
            var type when type.Contains("TimeSpan", StringComparison.Ordinal) => "a duration such as 00:05:00",
            var type => type,
        };
        return $"{match.Groups["option"].Value} must be {kind}, not '{match.Groups["value"].Value}'";
    }

    private static List<string> CommandPath(Command command)
    {
        var names = new List<string>();
        for (Command? current = command; current is not null and not RootCommand; current = current.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Insert(0, current.Name);
        }

        return names;
    }

    [GeneratedRegex(@"Cannot parse argument '(?<value>.*)' for (option|command|argument) '(?<option>[^']+)' as expected type '(?<type>[^']+)'")]
    private static partial Regex ConversionError();
}
