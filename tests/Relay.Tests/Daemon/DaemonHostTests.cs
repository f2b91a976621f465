using Cerver.Relay.Daemon;
using Cerver.Relay.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cerver.Relay.Tests.Daemon;

/// <summary>The daemon's transport settings that bound its memory under many uploads at once.</summary>
public sealed class DaemonHostTests
{
    [Fact]
    public async Task Each_connection_reads_at_most_64_KiB_ahead_of_its_handler()
    {
        await using var daemon = await RelayDaemon.StartAsync();

        var sockets = daemon.App.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value;

        Assert.Equal(DaemonHost.ConnectionReadBufferBytes, sockets.MaxReadBufferSize);
    }
}
