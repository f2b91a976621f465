using Cerver.Gateway.Embedded.Fleet;
using Cerver.Gateway.Embedded.Fleet.Wire;
using Cerver.Relay.Compute;
using Cerver.Relay.Compute.Sandboxes;
using Cerver.Relay.Compute.Storage;
using Cerver.Relay.Daemon;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cerver.Relay.Link;

/// <summary>
/// Registers this relay with its gateway (same machine id, same compute id) and heartbeats
/// every <see cref="Configuration.RelaySettings.HeartbeatInterval"/>. A gateway that cannot
/// be reached is retried with capped backoff; the local API never depends on it.
/// </summary>
public sealed partial class GatewayRegistrationService(
    RelaySettingsSnapshot settings,
    DaemonState daemon,
    GatewayClient gateway,
    GatewayConnection connection,
    CapabilityDetector capabilities,
    LocalCompute compute,
    SandboxStore sandboxes,
    IOptions<ComputeOptions> computeOptions,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<GatewayRegistrationService> logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var relay = settings.Value;
        if (relay.Offline || relay.ApiKey is null)
        {
            connection.Disabled(relay.Offline ? GatewayConnectionState.Offline : GatewayConnectionState.NotLoggedIn, relay.GatewayUrl is null ? null : relay.Gateway);
            return;
        }

        // Registration starts once the local API listens: its own address tells whether the gateway is this daemon.
        await WhenStartedAsync(stoppingToken);
        if (daemon.Url is { } own && IsSelf(relay.Gateway, own))
        {
            connection.Disabled(GatewayConnectionState.IsGateway, relay.Gateway);
            return;
        }

        connection.Registering(relay.Gateway);
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), MaxBackoff, Random.Shared.NextDouble);
        var failures = 0;
        string? computeId = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (computeId is null)
                {
                    computeId = await RegisterAsync(relay.ApiKey, stoppingToken);
                    failures = 0;
                }

                await Task.Delay(relay.HeartbeatInterval, time, stoppingToken);
                await gateway.HeartbeatAsync(relay.ApiKey, computeId, Heartbeat(), stoppingToken);
                connection.Heartbeat(time.GetUtcNow());
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                var forgotten = exception is GatewayException { Status: 404 };
                if (forgotten)
                {
                    // The gateway no longer knows the compute (deleted, or its database replaced): register again.
                    computeId = null;
                }

                var message = exception is GatewayException { Status: 401 }
                    ? $"the gateway at {relay.Gateway} refused the key (revoked?); run 'cerver-relay login --force'"
                    : exception.Message;
                connection.Failed(message, time.GetUtcNow());
                LogFailed(message);
                if (computeId is null && !forgotten)
                {
                    await DelayQuietlyAsync(backoff.Delay(failures++), stoppingToken);
                }
            }
        }
    }

    private async Task<string> RegisterAsync(string apiKey, CancellationToken cancellationToken)
    {
        var relay = settings.Value;
        var who = await gateway.WhoAmIAsync(apiKey, cancellationToken);
        var (os, arch) = CapabilityDetector.Platform();
        var registered = await gateway.RegisterAsync(apiKey, new RegisterComputeRequest
        {
            MachineId = daemon.Identity.MachineId,
            Label = daemon.Identity.Label,
            Provider = "cerver_local_provider",
            Kind = "relay",
            Scope = "private",
            RelayVersion = RelayVersion.Current,
            Os = os,
            Arch = arch,
            Capabilities = await capabilities.DetectAsync(cancellationToken),
        }, cancellationToken);

        var now = time.GetUtcNow();
        var previous = LinkRecord.Read(relay.Paths.LinkFile);
        if (previous is not null && previous.GatewayUrl == relay.Gateway.ToString() && previous.ComputeId != registered.ComputeId)
        {
            LogComputeIdChanged(previous.ComputeId, registered.ComputeId);
        }

        new LinkRecord(relay.Gateway.ToString(), registered.ComputeId, who.AccountId, registered.RegisteredAt ?? now).Write(relay.Paths.LinkFile);
        connection.Registered(new GatewayRegistration(relay.Gateway, apiKey, registered.ComputeId, who.AccountId, who.KeyId), now);
        LogRegistered(relay.Gateway, registered.ComputeId, who.AccountId);
        return registered.ComputeId;
    }

    private HeartbeatRequest Heartbeat()
    {
        var live = sandboxes.CountLive();
        var status = compute.Gate.IsDraining ? FleetStatus.Draining
            : live >= computeOptions.Value.MaxSandboxes ? FleetStatus.Busy
            : FleetStatus.Ready;
        return new HeartbeatRequest { Status = status, ActiveSandboxes = live, Version = RelayVersion.Current };
    }

    private Task WhenStartedAsync(CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(cancellationToken);
    }

    private async Task DelayQuietlyAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the loop ends on its own check.
        }
    }

    private static bool IsSelf(Uri gateway, Uri own) =>
        gateway.IsLoopback && own.IsLoopback && gateway.Port == own.Port;

    [LoggerMessage(LogLevel.Information, "Registered with the gateway {Gateway} as compute {ComputeId} of account {AccountId}")]
    private partial void LogRegistered(Uri gateway, string computeId, string accountId);

    [LoggerMessage(LogLevel.Warning, "The gateway gave compute id {ComputeId} instead of {Previous}")]
    private partial void LogComputeIdChanged(string previous, string computeId);

    [LoggerMessage(LogLevel.Warning, "Gateway registration or heartbeat failed: {Reason}")]
    private partial void LogFailed(string reason);
}
