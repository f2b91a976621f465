using System.Net;
using Microsoft.Extensions.Logging;

namespace Cerver.Relay.Daemon;

/// <summary>
/// A listen address other than loopback puts the local API on the network: the token still
/// guards it, but over plain HTTP anyone on the path can read that token. Said at every start,
/// on the console (stderr) and in the log.
/// </summary>
internal static partial class ListenWarning
{
    public static bool IsLoopback(string listen)
    {
        var bare = listen.Trim('[', ']');
        return bare.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(bare, out var address) && IPAddress.IsLoopback(address));
    }

    public static void Log(string listen, int port, ILogger logger)
    {
        if (!IsLoopback(listen))
        {
            LogExposed(logger, listen, port);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Listening on {Listen}:{Port}, not loopback: the local API (plain HTTP) is reachable from the network and only its token guards it; use --listen 127.0.0.1 unless this is what you want")]
    private static partial void LogExposed(ILogger logger, string listen, int port);
}
