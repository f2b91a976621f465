namespace Cerver.Relay.Cli;

/// <summary>
/// Every exit code of <c>cerver-relay</c>, in one place (the README's Command line section lists
/// them): scripts and service managers tell failures apart by these, people by the one sentence
/// on stderr that comes with each.
/// </summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The verb failed for the reason its sentence gives.</summary>
    public const int Failed = 1;

    /// <summary>The command line cannot be used: an unknown verb or option, or a value of the wrong kind.</summary>
    public const int Usage = 2;

    /// <summary>No daemon runs for this <c>CERVER_HOME</c> (<c>status</c>, and verbs that need the daemon).</summary>
    public const int NotRunning = 3;

    /// <summary>A setting, <c>cerver.env</c> or <c>relay/config.json</c> cannot be read or used.</summary>
    public const int Configuration = 4;

    /// <summary><c>run</c>: another daemon already holds this <c>CERVER_HOME</c>.</summary>
    public const int HomeInUse = 5;

    /// <summary><c>run</c>: the port is taken by another program.</summary>
    public const int PortInUse = 6;

    /// <summary><c>run</c>: the isolation named in <c>CERVER_ISOLATION</c> does not work on this machine.</summary>
    public const int IsolationUnavailable = 7;

    /// <summary>A host the verb needs (gateway, GitHub's API, the daemon) could not be reached or did not answer in time.</summary>
    public const int Unreachable = 8;

    /// <summary><c>update --check</c>: a newer release is available.</summary>
    public const int UpdateAvailable = 10;

    /// <summary>Interrupted with Ctrl-C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}

/// <summary>
/// Ends a verb with one sentence on stderr and a distinct exit code; <c>Program</c> prints it,
/// so a failure deep in a verb never reaches the user as a stack trace.
/// </summary>
public sealed class CliExitException(string message, int exitCode, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}
