using Cerver.Gateway.Embedded.Provider;
using Cerver.Relay.Link;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cerver.Relay.Connect;

public static class ConnectServiceCollectionExtensions
{
    /// <summary>The relay's side of the connect channel: it dials once the registration service has registered this relay.</summary>
    public static IServiceCollection AddConnectChannel(this IServiceCollection services)
    {
        services.TryAddSingleton<LinkState>();
        services.TryAddSingleton<LocalApiForwarder>();
        services.TryAddSingleton(ReconnectBackoff.Default);
        services.TryAddSingleton<ChannelLiveEvents>();
        services.Replace(ServiceDescriptor.Singleton<ILiveSessionEvents>(provider => provider.GetRequiredService<ChannelLiveEvents>()));
        services.AddHostedService<ConnectClient>();
        return services;
    }
}
