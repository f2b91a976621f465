using Cerver.Gateway.Embedded.Sessions;
using Cerver.Relay.Compute.Sandboxes;
using Cerver.Relay.Compute.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cerver.Relay.Daemon;

/// <summary>The daemon's own endpoints: liveness for anyone on the machine, status for token holders.</summary>
public static class RelayEndpoints
{
    public static IEndpointRouteBuilder MapRelayEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Json(new HealthReport("ok", RelayVersion.Current), RelayJsonContext.Default.HealthReport));

        endpoints.MapGet("/relay/status", (DaemonState state, LocalCompute compute, SandboxStore store, SessionStore sessions, Update.Updater updater, TimeProvider time) =>
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
                Draining = compute.Gate.IsDraining,
                Sandboxes = new SandboxCounts(store.CountLive(), compute.Gate.ActiveCount),
                LiveSessions = sessions.CountLive(),
                Gateway = new GatewayStatus(settings.GatewayUrl, settings.Offline, settings.ApiKey is not null, settings.Offline ? "offline" : "not_linked"),
                Update = UpdateStatusOf(settings, updater.State.Read()),
            };
            return Results.Json(report, RelayJsonContext.Default.StatusReport);
        });

        return endpoints;
    }

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
