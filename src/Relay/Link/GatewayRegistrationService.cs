using Cerver.Gateway.Embedded.Fleet;
using Cerver.Gateway.Embedded.Fleet.Wire;
using Cerver.Relay.Compute;
using Cerver.Relay.Compute.Sandboxes;
using Cerver.Relay.Compute.Storage;
using Cerver.Relay.Configuration;
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
    AccountKey accountKey,
    CapabilityDetector capabilities,
    LocalCompute compute,
    SandboxStore sandboxes,
    IOptions<ComputeOptions> computeOptions,
    TimeProvider time,
    ILogger<GatewayRegistrationService> logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan UnregisterWithin = TimeSpan.FromSeconds(3);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var relay = settings.Value;
        if (relay.Offline)
        {
            connection.Disabled(GatewayConnectionState.Offline, relay.GatewayUrl is null ? null : relay.Gateway);
            return;
        }

        // A key given by the environment is fixed for this daemon's life; one from cerver.env (or
        // none yet) is read again before every heartbeat, so a login or logout takes effect without a restart.
        var watchesEnvFile = relay.ApiKey is null || relay.ApiKeyFromEnvFile;
        var apiKey = relay.ApiKey;
        if (apiKey is null)
        {
            connection.Disabled(GatewayConnectionState.NotLoggedIn, relay.GatewayUrl is null ? null : relay.Gateway);
        }

        // Registration starts once the local API listens: its own address tells whether the gateway is this daemon.
        var own = await daemon.Listening.WaitAsync(stoppingToken);
        if (IsSelf(relay.Gateway, own))
        {
            connection.Disabled(GatewayConnectionState.IsGateway, relay.Gateway);
            return;
        }

        if (apiKey is not null)
        {
            connection.Registering(relay.Gateway);
        }

        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), MaxBackoff, Random.Shared.NextDouble);
        var failures = 0;
        string? computeId = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (watchesEnvFile && KeyInEnvFile(relay) is var current && current != apiKey)
            {
                computeId = null;
                failures = 0;
                if (current is null)
                {
                    connection.LoggedOut(relay.Gateway);
                    LogLoggedOut(relay.Paths.EnvFile);
                }
                else
                {
                    connection.Registering(relay.Gateway);
                    LogNewKey(relay.Paths.EnvFile, relay.Gateway);
                    WarnIfGatewayChanged(relay);
                }

                apiKey = current;
                accountKey.Current = current;
            }

            try
            {
                if (apiKey is null)
                {
                    // Not logged in: look for a key again at the next heartbeat.
                    await Task.Delay(relay.HeartbeatInterval, time, stoppingToken);
                    continue;
                }

                if (computeId is null)
                {
                    computeId = await RegisterAsync(apiKey, stoppingToken);
                    failures = 0;
                }

                await Task.Delay(relay.HeartbeatInterval, time, stoppingToken);
                if (watchesEnvFile && KeyInEnvFile(relay) != apiKey)
                {
                    // The key changed while waiting: the top of the loop takes the new one (or stops).
                    continue;
                }

                await gateway.HeartbeatAsync(apiKey, computeId, await HeartbeatAsync(stoppingToken), stoppingToken);
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

    /// <summary>
    /// A clean stop takes this compute off the gateway (observed), so nothing is routed to a
    /// relay that is not coming back soon; the next start registers it again under the same id.
    /// A gateway that cannot be reached within a few seconds marks it offline on its own.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (connection.Registration is not { } registration)
        {
            return;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(UnregisterWithin);
        try
        {
            await gateway.UnregisterAsync(registration.ApiKey, registration.ComputeId, deadline.Token);
            LogUnregistered(registration.ComputeId);
        }
        catch (Exception exception) when (exception is GatewayException or OperationCanceledException)
        {
            LogUnregisterFailed(registration.ComputeId, exception.Message);
        }
    }

    private async Task<string> RegisterAsync(string apiKey, CancellationToken cancellationToken)
    {
        var relay = settings.Value;
        var who = await gateway.WhoAmIAsync(apiKey, cancellationToken);
        var previous = LinkRecord.Read(relay.Paths.LinkFile);
        // One compute id per machine and gateway: the one this gateway gave last time, else this machine's own.
        var proposed = previous is not null && previous.GatewayUrl == relay.Gateway.ToString() ? previous.ComputeId : daemon.Identity.ComputeId;
        var registered = await gateway.RegisterAsync(apiKey, new RegisterComputeRequest
        {
            Label = daemon.Identity.Label,
            Kind = ValidRegistration.Kind,
            Provider = ValidRegistration.Provider,
            ComputeId = proposed,
            Capabilities = await capabilities.DetectAsync(cancellationToken),
            Metadata = Metadata(),
            Connection = new ComputeConnection(ValidRegistration.Transport, proposed),
        }, cancellationToken);

        if (registered.ComputeId != proposed)
        {
            LogComputeIdChanged(proposed, registered.ComputeId);
        }

        var now = time.GetUtcNow();
        new LinkRecord(relay.Gateway.ToString(), registered.ComputeId, who.AccountId, registered.RegisteredAt ?? now).Write(relay.Paths.LinkFile);
        connection.Registered(new GatewayRegistration(relay.Gateway, apiKey, registered.ComputeId, who.AccountId, who.KeyId), now);
        LogRegistered(relay.Gateway, registered.ComputeId, who.AccountId);
        return registered.ComputeId;
    }

    private async Task<HeartbeatRequest> HeartbeatAsync(CancellationToken cancellationToken)
    {
        var status = compute.Gate.IsDraining ? FleetStatus.Draining
            : sandboxes.CountLive() >= computeOptions.Value.MaxSandboxes ? FleetStatus.Busy
            : FleetStatus.Online;
        return new HeartbeatRequest { Status = status, Capabilities = await capabilities.DetectAsync(cancellationToken), Metadata = Metadata() };
    }

    private ComputeMetadata Metadata()
    {
        var (os, arch) = CapabilityDetector.Platform();
        return new ComputeMetadata
        {
            MachineId = daemon.Identity.MachineId,
            MachineName = Environment.MachineName,
            WorkingDirectory = settings.Value.Paths.SandboxesDirectory,
            HomeDirectory = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
            RelayVersion = RelayVersion.Current,
            Os = os,
            Arch = arch,
            ActiveSandboxes = sandboxes.CountLive(),
        };
    }

    /// <summary>The key <c>cerver.env</c> holds now: <c>logout</c> takes it out, <c>login</c> writes a new one.</summary>
    private static string? KeyInEnvFile(RelaySettings relay) =>
        CerverEnvFile.Read(relay.Paths.EnvFile).GetValueOrDefault("CERVER_API_KEY") is { Length: > 0 } key ? key : null;

    /// <summary>The gateway client is bound to the gateway this daemon started with; a login to another one needs a restart.</summary>
    private void WarnIfGatewayChanged(RelaySettings relay)
    {
        if (Environment.GetEnvironmentVariable("CERVER_GATEWAY_URL") is null
            && CerverEnvFile.Read(relay.Paths.EnvFile).GetValueOrDefault("CERVER_GATEWAY_URL") is { Length: > 0 } written
            && Uri.TryCreate(written, UriKind.Absolute, out var url) && url != relay.Gateway)
        {
            LogGatewayChanged(url, relay.Gateway);
        }
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

    [LoggerMessage(LogLevel.Warning, "The key is no longer in {EnvFile} (logged out): no more registration until a login writes a new one")]
    private partial void LogLoggedOut(string envFile);

    [LoggerMessage(LogLevel.Information, "A new key in {EnvFile}: registering with the gateway {Gateway} again")]
    private partial void LogNewKey(string envFile, Uri gateway);

    [LoggerMessage(LogLevel.Warning, "cerver.env now names the gateway {Written}, but this daemon talks to {Gateway} until it is restarted")]
    private partial void LogGatewayChanged(Uri written, Uri gateway);

    [LoggerMessage(LogLevel.Information, "Unregistered compute {ComputeId} from the gateway")]
    private partial void LogUnregistered(string computeId);

    [LoggerMessage(LogLevel.Warning, "Could not unregister compute {ComputeId} from the gateway ({Reason}); it will show offline")]
    private partial void LogUnregisterFailed(string computeId, string reason);

    [LoggerMessage(LogLevel.Warning, "Gateway registration or heartbeat failed: {Reason}")]
    private partial void LogFailed(string reason);
}
