using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Dashboard;

/// <summary>One real daemon (bubblewrap where it works) and one headless Chromium for a test class.</summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public RelayDaemon Daemon { get; private set; } = null!;

    public HeadlessChromium Chromium { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Daemon = await RelayDaemon.StartAsync("auto");
        Chromium = await HeadlessChromium.LaunchAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Chromium.DisposeAsync();
        await Daemon.DisposeAsync();
    }
}
