using Cerver.Relay.Compute.Sandboxes;
using Microsoft.Extensions.Logging;

namespace Cerver.Relay.Daemon;

/// <summary>Running without a sandbox is the user's explicit choice, and never a quiet one.</summary>
internal static partial class IsolationWarning
{
    public static void Log(LocalCompute compute, ILogger logger)
    {
        if (compute.IsolationRefusal is { } refusal)
        {
            LogRefused(logger, refusal);
        }
        else if (compute.IsolationName == "none")
        {
            LogNone(logger);
        }
    }

    [LoggerMessage(LogLevel.Error, "Sandboxes are refused: {Refusal}")]
    private static partial void LogRefused(ILogger logger, string refusal);

    [LoggerMessage(LogLevel.Warning, "CERVER_ISOLATION=none: sandboxed code is not isolated; it runs as this user, with its files, keys and network")]
    private static partial void LogNone(ILogger logger);
}
