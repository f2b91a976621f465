using Cerver.Gateway.Embedded.Fleet;
using Cerver.Gateway.Embedded.Link;
using Cerver.Gateway.Embedded.Sessions;
using Cerver.Gateway.Embedded.StressTests;
using Microsoft.Extensions.DependencyInjection;

namespace Cerver.Gateway.Embedded;

public static class GatewayServiceCollectionExtensions
{
    /// <summary>Registers the session layer over the computes in the registry (this machine first).</summary>
    public static IServiceCollection AddEmbeddedGateway(this IServiceCollection services, Action<GatewayOptions>? configure = null)
    {
        services.AddOptions<GatewayOptions>().Configure(configure ?? (_ => { }));
        services.AddSingleton<SessionStore>();
        services.AddSingleton<ComputeRegistry>();
        services.AddSingleton<SessionService>();
        services.AddSingleton<StressTestService>();
        services.AddSingleton<LinkedRelays>();
        services.AddHostedService<LocalComputeRegistration>();
        services.AddHostedService<IdleSessionSweeper>();
        return services;
    }
}
