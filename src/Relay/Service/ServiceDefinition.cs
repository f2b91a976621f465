using Cerver.Relay.Configuration;

namespace Cerver.Relay.Service;

/// <summary>What a service runs: the <c>bin/cerver-relay</c> link (so updates take effect on restart) with its CERVER_HOME.</summary>
public sealed record ServiceDefinition(string Executable, string CerverHome, string LogsDirectory)
{
    public static ServiceDefinition For(RelayPaths paths) =>
        new(Path.Combine(paths.BinDirectory, "cerver-relay"), paths.CerverHome, paths.LogsDirectory);

    /// <summary>Paths go into unit files and plists, where a control character cannot be written safely.</summary>
    public void Validate()
    {
        foreach (var path in new[] { Executable, CerverHome, LogsDirectory })
        {
            if (path.Any(char.IsControl))
            {
                throw new ServiceException($"the path '{path.ReplaceLineEndings(" ")}' contains a control character and cannot be written into a service definition; choose another CERVER_HOME.");
            }
        }
    }
}

/// <summary>A service action that failed; the message says why and what to do.</summary>
public sealed class ServiceException(string message) : Exception(message);
