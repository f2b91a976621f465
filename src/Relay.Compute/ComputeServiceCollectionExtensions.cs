using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Agents.Turns;
using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Compute.Isolation;
using Cerver.Relay.Compute.Limits;
using Cerver.Relay.Compute.Processes;
using Cerver.Relay.Compute.Runtimes;
using Cerver.Relay.Compute.Sandboxes;
using Cerver.Relay.Compute.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Cerver.Relay.Compute;

public static class ComputeServiceCollectionExtensions
{
    /// <summary>Registers this machine's compute: storage, isolation, the process runner and the expiry sweeper.</summary>
    public static IServiceCollection AddLocalCompute(this IServiceCollection services, Action<ComputeOptions> configure)
    {
        services.AddOptions<ComputeOptions>().Configure(configure).Validate(options =>
        {
            options.Validate();
            return true;
        }).ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(provider => new RelayDatabase(provider.GetRequiredService<IOptions<ComputeOptions>>().Value.DatabasePath));
        services.AddSingleton<SandboxStore>();
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<ComputeOptions>>().Value;
            return IsolationSelector.Select(options.Isolation, options.RelayDirectory);
        });
        services.AddSingleton<RuntimeLocator>();
        services.AddSingleton<ProcessRunner>();
        services.AddSingleton<RunGate>();
        services.AddSingleton(provider => LimitEnforcement.Detect(provider.GetRequiredService<IOptions<ComputeOptions>>().Value.Limits));
        services.AddSingleton(provider => new WorkspaceQuota(
            provider.GetRequiredService<IOptions<ComputeOptions>>().Value.Limits.WorkspaceBytes, new WorkspaceWalker(), provider.GetRequiredService<TimeProvider>(), WorkspaceQuota.DefaultSampleInterval));
        services.AddSingleton(AgentHarnesses.BuiltIn());
        services.AddSingleton(provider => new AgentTurnSlots(provider.GetRequiredService<IOptions<ComputeOptions>>().Value.Agents.MaxConcurrentTurns));
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<ComputeOptions>>().Value;
            return new AgentServices(provider.GetRequiredService<AgentHarnesses>(), new AgentCliLocator(options.Agents.SearchPath),
                new AgentCredentials(options.AgentsEnvPath), provider.GetRequiredService<AgentTurnSlots>());
        });
        services.AddSingleton<AgentInventory>();
        services.AddSingleton<LocalCompute>();
        services.AddSingleton<ICompute>(provider => provider.GetRequiredService<LocalCompute>());
        services.AddHostedService<SandboxExpirySweeper>();
        return services;
    }
}
