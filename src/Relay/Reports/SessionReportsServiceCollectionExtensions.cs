using Cerver.Gateway.Embedded.Provider;
using Cerver.Relay.Configuration;
using Cerver.Relay.Daemon;
using Cerver.Relay.Link;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Cerver.Relay.Reports;

public static class SessionReportsServiceCollectionExtensions
{
    /// <summary>The folder of the outboxes, one pair of files per Cerver session: <c>relay/reports/</c>.</summary>
    public static string DirectoryOf(RelayPaths paths) => Path.Combine(paths.RelayDirectory, "reports");

    /// <summary>
    /// Provider sandboxes' agents report to their Cerver sessions on this relay's gateway, through
    /// outboxes under <c>relay/reports/</c> (in place of the embedded gateway's no-op, before or after
    /// <c>AddEmbeddedGateway</c>). Needs the gateway connection and the relay's settings.
    /// </summary>
    public static IServiceCollection AddSessionReports(this IServiceCollection services)
    {
        services.AddSessionReportClient();
        services.TryAddSingleton(sp => new SessionReports(
            DirectoryOf(sp.GetRequiredService<RelaySettingsSnapshot>().Value.Paths),
            sp.GetRequiredService<SessionReportClient>(),
            sp.GetRequiredService<GatewayConnection>(),
            new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), Random.Shared.NextDouble),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<SessionReports>>()));
        services.Replace(ServiceDescriptor.Singleton<ISessionReports>(sp => sp.GetRequiredService<SessionReports>()));
        services.AddHostedService(sp => sp.GetRequiredService<SessionReports>());
        return services;
    }
}
