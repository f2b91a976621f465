using Cerver.Gateway.Embedded.Sessions;
using Cerver.Relay.Compute.Sandboxes;
using Cerver.Relay.Compute.Storage;
using Cerver.Relay.Configuration;
using Cerver.Relay.Link;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cerver.Relay.Daemon;

/// <summary>The daemon's own endpoints: liveness for anyone on the machine, status for token holders.</summary>
public static class RelayEndpoints
{
    public static IEndpointRouteBuilder MapRelayEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Json(new HealthReport("ok", RelayVersion.Current), RelayJsonContext.Default.HealthReport)).AllowAnonymous();

        endpoints.MapGet("/relay/status", (DaemonState state, LocalCompute compute, Compute.Limits.LimitEnforcement limits, SandboxStore store, SessionStore sessions, GatewayConnection gateway, LinkState link, Update.Updater updater, Compute.Agents.Turns.AgentTurnSlots agentSlots, Reports.SessionReports reports, TimeProvider time) =>
        {
            var settings = state.Settings.Value;
            var report = new StatusReport
            {
                Running = true,
                Url = (state.Url ?? settings.LocalUrl).ToString().TrimEnd('/'),
                Version = RelayVersion.Current,
                Pid = Environment.ProcessId,
                StartedAt = state.StartedAt,
                UptimeSeconds = (long)(time.GetUtcNow() - state.StartedAt).TotalSeconds,
                MachineId = state.Identity.MachineId,
                ComputeId = state.Identity.ComputeId,
                Label = state.Identity.Label,
                Isolation = compute.IsolationName,
                IsolationMode = settings.Isolation,
                IsolationProblem = compute.IsolationRefusal,
                Draining = compute.Gate.IsDraining,
                Sandboxes = new SandboxCounts(store.CountLive(), compute.Gate.ActiveCount),
                Limits = limits.Describe(),
                Cgroup = limits.Cgroup.Detail,
                LiveSessions = sessions.CountLive(),
                AgentTurns = new AgentTurnCounts(agentSlots.Running, agentSlots.Capacity),
                Gateway = GatewayStatusOf(settings, gateway.Current, link.Current),
                Update = UpdateStatusOf(settings, updater.State.Read()),
                Reports = reports.Snapshot,
            };
            return Results.Json(report, RelayJsonContext.Default.StatusReport);
        });

        return endpoints;
    }

    private static GatewayStatus GatewayStatusOf(RelaySettings settings, GatewayConnectionSnapshot connection, LinkSnapshot link) =>
        new(connection.GatewayUrl?.ToString().TrimEnd('/') ?? settings.GatewayUrl, settings.Offline, settings.ApiKey is not null, LinkName(settings, link))
        {
            LinkSince = link.Since,
            LinkError = link.LastError,
            Registration = connection.State,
            AccountId = connection.AccountId,
            KeyId = connection.KeyId,
            ComputeId = connection.ComputeId,
            RegisteredAt = connection.RegisteredAt,
            LastHeartbeatAt = connection.LastHeartbeatAt,
            LastError = connection.LastError,
            LastErrorAt = connection.LastErrorAt,
        };

    private static string LinkName(RelaySettings settings, LinkSnapshot link) => settings.Offline ? "offline" : link.Status switch
    {
        LinkStatus.Connected => "connected",
        LinkStatus.Offline => "offline",
        _ => "not_linked",
    };

    private static UpdateStatus UpdateStatusOf(Configuration.RelaySettings settings, Update.UpdateState update) =>
        new(settings.AutoUpdate, settings.UpdateRepo)
        {
            Service = settings.ServiceManager,
            LastCheckAt = update.LastCheckAt,
            LastCheckError = update.LastCheckError,
            Available = update.Available,
            Pending = update.Pending?.Version,
            LastResult = update.LastResult,
        };
}
