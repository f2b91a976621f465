using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cerver.Relay.Link;

public static class LinkServiceCollectionExtensions
{
    /// <summary>
    /// The relay's side of the dispatch link. It dials once the registration service has
    /// registered this relay (a test may name a fixed target instead, registered before this).
    /// </summary>
    public static IServiceCollection AddRelayLink(this IServiceCollection services)
    {
        services.TryAddSingleton<LinkState>();
        services.TryAddSingleton<ILinkTargetSource, RegisteredLinkTarget>();
        services.TryAddSingleton<LinkCallDispatcher>();
        services.TryAddSingleton(ReconnectBackoff.Default);
        services.AddHostedService<LinkClient>();
        return services;
    }
}
