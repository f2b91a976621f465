using Cerver.Relay.Configuration;

namespace Cerver.Relay.Service;

/// <summary>Whose service manager runs the relay: the user's own (while logged in, or with linger), or the machine's (at boot).</summary>
public enum ServiceScope
{
    User,
    System,
}

/// <summary>The account a system-level service runs as, and that account's home (HOME for the daemon).</summary>
public sealed record ServiceAccount(string Name, string Home);

/// <summary>
/// What a service runs: the <c>bin/cerver-relay</c> link (so updates take effect on restart) with
/// its CERVER_HOME. With an <see cref="Account"/> it is a system-level service that runs as that
/// account; without one, a user service.
/// </summary>
public sealed record ServiceDefinition(string Executable, string CerverHome, string LogsDirectory)
{
    public ServiceAccount? Account { get; init; }

    /// <summary>Whether CERVER_HOME is the default <c>~/.cerver</c>, so a command line need not name it.</summary>
    public bool IsDefaultHome { get; init; }

    public ServiceScope Scope => Account is null ? ServiceScope.User : ServiceScope.System;

    public static ServiceDefinition For(RelayPaths paths) =>
        new(Path.Combine(paths.BinDirectory, "cerver-relay"), paths.CerverHome, paths.LogsDirectory)
        {
            IsDefaultHome = paths.CerverHome == Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cerver"),
        };

    /// <summary>Paths go into unit files and plists, where a control character cannot be written safely.</summary>
    public void Validate()
    {
        foreach (var path in new[] { Executable, CerverHome, LogsDirectory, Account?.Name ?? "", Account?.Home ?? "" })
        {
            if (path.Any(char.IsControl))
            {
                throw new ServiceException($"the path '{path.ReplaceLineEndings(" ")}' contains a control character and cannot be written into a service definition; choose another CERVER_HOME.");
            }
        }

        if (Account is { } account && (account.Name.Length == 0 || account.Name.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or '%' or '$' or '<' or '>' or '&')))
        {
            throw new ServiceException($"'{account.Name}' is not a user name a service can run as.");
        }
    }
}

/// <summary>A service action that failed; the message says why and what to do.</summary>
public sealed class ServiceException(string message) : Exception(message);
