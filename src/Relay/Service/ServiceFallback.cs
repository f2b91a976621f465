namespace Cerver.Relay.Service;

/// <summary>
/// The one message for a machine where no service manager can run the relay (a container
/// without systemd, a login without a user manager): what is missing, and the exact command,
/// with this machine's paths, that keeps the relay running without one.
/// </summary>
public static class ServiceFallback
{
    public const string LogFileName = "nohup.out.log";

    /// <summary>A background start that survives the terminal closing, its output appended to <c>relay/logs/</c>.</summary>
    public static string Command(ServiceDefinition definition)
    {
        var home = definition.IsDefaultHome ? "" : $"CERVER_HOME={ShellQuote(definition.CerverHome)} ";
        return $"{home}nohup {ShellQuote(definition.Executable)} run </dev/null >>{ShellQuote(Path.Combine(definition.LogsDirectory, LogFileName))} 2>&1 &";
    }

    public static string Message(ServiceDefinition definition, string missing) =>
        $"no service manager can keep the relay running here: {missing}.\n" +
        $"To keep it running without one, start it in the background (again after each reboot):\n    {Command(definition)}";

    /// <summary>A word for sh: as it is when it holds only safe characters, otherwise single-quoted.</summary>
    public static string ShellQuote(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or ',' or ':' or '@' or '=')
            ? value
            : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
