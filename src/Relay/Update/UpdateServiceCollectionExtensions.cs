using Cerver.Relay.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cerver.Relay.Update;

public static class UpdateServiceCollectionExtensions
{
    /// <summary>The updater, the hand-over, the start-up confirmation and — unless <c>CERVER_AUTO_UPDATE=0</c> or no repository is set — the periodic check.</summary>
    public static IServiceCollection AddRelayUpdates(this IServiceCollection services, RelaySettings settings, UpdateTrust trust)
    {
        services.AddSingleton(provider => UpdaterFactory.Create(settings, UpdaterFactory.CreateDownloadClient(), trust, provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<UpdateHandoff>();
        services.AddHostedService<UpdateConfirmation>();
        if (settings.AutoUpdate && settings.UpdateRepo is not null)
        {
            services.AddSingleton<IUpdateRun, AutoUpdateRun>();
            services.AddHostedService(provider => ActivatorUtilities.CreateInstance<UpdateScheduler>(provider, Random.Shared));
        }

        return services;
    }
}
