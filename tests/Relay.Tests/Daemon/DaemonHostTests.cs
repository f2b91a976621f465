using Cerver.Relay.Daemon;
using Cerver.Relay.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cerver.Relay.Tests.Daemon;

/// <summary>What each daemon host owns: transport settings that bound its memory, and its own log.</summary>
public sealed class DaemonHostTests
{
    [Fact]
    public async Task Each_connection_reads_at_most_64_KiB_ahead_of_its_handler()
    {
        await using var daemon = await RelayDaemon.StartAsync();

        var sockets = daemon.App.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value;

        Assert.Equal(DaemonHost.ConnectionReadBufferBytes, sockets.MaxReadBufferSize);
    }

    [Fact]
    public async Task Two_daemons_in_one_process_each_log_to_their_own_file_until_they_stop()
    {
        await using var first = await RelayDaemon.StartAsync();
        await using var second = await RelayDaemon.StartAsync();
        var firstSandbox = await first.CreateSandboxAsync();
        var secondSandbox = await second.CreateSandboxAsync();
        var firstLog = first.ReadLog();

        // A host stopping must close only its own logger: the other one goes on writing.
        await first.DisposeAsync();
        await second.RunAsync(secondSandbox, new { code = "true" });

        var secondLog = second.ReadLog();
        Assert.Contains($"Created sandbox {firstSandbox}", firstLog, StringComparison.Ordinal);
        Assert.DoesNotContain(secondSandbox, firstLog, StringComparison.Ordinal);
        Assert.Contains($"Created sandbox {secondSandbox}", secondLog, StringComparison.Ordinal);
        Assert.Contains($"Sandbox {secondSandbox}: run ended with exit code 0", secondLog, StringComparison.Ordinal);
        Assert.DoesNotContain(firstSandbox, secondLog, StringComparison.Ordinal);
    }
}
