using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cerver.Relay.Link;

public static class LinkServiceCollectionExtensions
{
    /// <summary>
    /// The relay's side of the dispatch link. The client only runs when something can name a
    /// target (a login's registration, or a test's fixed target); the state always exists so
    /// <c>status</c> can say "not linked".
    /// </summary>
    public static IServiceCollection AddRelayLink(this IServiceCollection services)
    {
        services.TryAddSingleton<LinkState>();
        if (services.Any(descriptor => descriptor.ServiceType == typeof(ILinkTargetSource)))
        {
            services.TryAddSingleton<LinkCallDispatcher>();
            services.TryAddSingleton(ReconnectBackoff.Default);
            services.AddHostedService<LinkClient>();
        }

        return services;
    }
}
