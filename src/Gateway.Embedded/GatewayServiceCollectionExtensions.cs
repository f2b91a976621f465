using Cerver.Gateway.Embedded.Accounts;
using Cerver.Gateway.Embedded.Fleet;
using Cerver.Gateway.Embedded.Link;
using Cerver.Gateway.Embedded.Sessions;
using Cerver.Gateway.Embedded.Sessions.Agents;
using Cerver.Gateway.Embedded.StressTests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cerver.Gateway.Embedded;

public static class GatewayServiceCollectionExtensions
{
    /// <summary>Registers the session layer over the computes in the registry (this machine first), and the accounts and fleet of relays that use this machine as their gateway.</summary>
    public static IServiceCollection AddEmbeddedGateway(this IServiceCollection services, Action<GatewayOptions>? configure = null)
    {
        services.AddOptions<GatewayOptions>().Configure(configure ?? (_ => { }));
        services.AddSingleton<SessionStore>();
        services.AddSingleton<ComputeRegistry>();
        services.AddSingleton<SessionService>();
        services.AddSingleton<TranscriptFeed>();
        services.AddSingleton<AgentTurns>();
        services.AddSingleton<StressTestService>();
        services.AddSingleton<Connect.ConnectedRelays>();
        services.AddSingleton<Provider.ProviderAgents>();
        // A relay that reports to a gateway puts its own in place of these (before or after this call).
        services.TryAddSingleton<Provider.ISessionReports, Provider.NoSessionReports>();
        services.TryAddSingleton<Provider.ILiveSessionEvents, Provider.NoLiveSessionEvents>();
        services.AddSingleton<AccountStore>();
        services.AddSingleton<RelayKeys>();
        services.AddSingleton<DeviceStartLimiter>();
        services.AddSingleton<DeviceAuthorization>();
        services.AddSingleton<FleetStore>();
        services.AddSingleton<CapabilityDetector>();
        services.AddHostedService<LocalComputeRegistration>();
        services.AddHostedService<AgentTurnRecovery>();
        services.AddHostedService<Provider.ProviderTurnRecovery>();
        services.AddHostedService<IdleSessionSweeper>();
        services.AddHostedService<DeviceCodeSweeper>();
        return services;
    }
}
