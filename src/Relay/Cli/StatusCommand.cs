using System.CommandLine;
using System.Text.Json;
using Cerver.Relay.Configuration;
using Cerver.Relay.Daemon;
using Cerver.Relay.Service;

namespace Cerver.Relay.Cli;

public static class StatusCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the status as JSON (stable for scripts)." };
        var command = new Command("status", "Tell whether the daemon is running and how it is doing; exits 3 when it is not running.") { json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!CliSettings.TryLoad(out var settings))
            {
                return ExitCodes.Failed;
            }

            var report = await QueryAsync(settings, cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(report, RelayJsonContext.Default.StatusReport));
            }
            else if (report.Running)
            {
                PrintHuman(report);
            }
            else
            {
                Console.WriteLine($"cerver-relay is {CliOutput.Paint("not running", CliOutput.Red)}: {report.Error}.");
                Console.WriteLine(await HowToStartAsync(settings, cancellationToken));
            }

            return report.Running ? ExitCodes.Ok : ExitCodes.NotRunning;
        });
        return command;
    }

    public static async Task<StatusReport> QueryAsync(RelaySettings settings, CancellationToken cancellationToken)
    {
        using var daemon = new DaemonClient(settings);
        var url = daemon.Url;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/relay/status");
            using var response = await daemon.Http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return new StatusReport
                {
                    Running = false,
                    Url = url,
                    Error = $"something answers on {url} but refused the status request ({(int)response.StatusCode}); is it another relay with a different CERVER_HOME?",
                };
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await JsonSerializer.DeserializeAsync(body, RelayJsonContext.Default.StatusReport, cancellationToken)
                ?? new StatusReport { Running = false, Url = url, Error = "the daemon sent an empty status" };
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException)
        {
            return new StatusReport { Running = false, Url = url, Error = $"no relay answers on {url}" };
        }
    }

    /// <summary>The way to start this relay that works on this machine: its service when one is installed and can run, else the foreground or the one command that keeps it running.</summary>
    private static async Task<string> HowToStartAsync(RelaySettings settings, CancellationToken cancellationToken)
    {
        ServiceStatus? service = null;
        try
        {
            if (await ServiceManager.ForThisMachineAsync(settings.Paths, RelaySettingsLoader.ProcessEnvironment(), system: false, cancellationToken) is { } manager)
            {
                service = await manager.StatusAsync(cancellationToken);
            }
        }
        catch (ServiceException)
        {
            // No service to speak of: the foreground is the answer.
        }

        return service switch
        {
            { ManagerMissing: { } missing } =>
                $"Start it with 'cerver-relay run' (foreground). No service manager can keep it running here ({missing}); this command does: {service.FallbackCommand}",
            { Installed: true } => "Start it with 'cerver-relay service start', or 'cerver-relay run' (foreground).",
            { } => "Start it with 'cerver-relay run' (foreground), or install it as a service: 'cerver-relay service install'.",
            null => "Start it with 'cerver-relay run' (foreground).",
        };
    }

    private static void PrintHuman(StatusReport report)
    {
        var gateway = report.Gateway;
        CliOutput.Table(
        [
            ("relay", $"{CliOutput.Paint("running", CliOutput.Green)} (pid {report.Pid}, up {Uptime(report.UptimeSeconds ?? 0)}){(report.Draining == true ? ", draining" : "")}"),
            ("version", report.Version ?? "?"),
            ("local api", report.Url),
            ("account", Account(gateway)),
            ("gateway", gateway?.Url is null ? "none configured" : $"{gateway.Url} ({Registration(gateway)})"),
            ("compute", $"{report.ComputeId} ({report.Label}){(gateway?.ComputeId is null ? "" : $"; {gateway.ComputeId} on the gateway")}"),
            ("heartbeat", Heartbeat(gateway)),
            ("link", Link(gateway?.Link, gateway?.LinkSince, gateway?.LinkError)),
            ("isolation", IsolationLine(report)),
            ("sandboxes", $"{report.Sandboxes?.Live ?? 0} live, {report.Sandboxes?.ActiveRuns ?? 0} runs in progress"),
            ("limits", Limits(report.Limits)),
            ("cgroup", report.Cgroup ?? "?"),
            ("sessions", $"{report.LiveSessions ?? 0} live"),
            ("agents", $"{report.AgentTurns?.Running ?? 0} turns running (at most {report.AgentTurns?.Max ?? 0} at once)"),
            ("reports", ReportsLine(report.Reports)),
            ("update", report.Update?.OffReason is { } off ? $"off ({off})" : report.Update?.AutoUpdate == true ? $"automatic{(report.Update.Repository is null ? "" : $" from {report.Update.Repository}")}" : "automatic updates off"),
            ("checked", UpdateCheckLine(report.Update)),
            ("waiting", report.Update?.Pending is { } pending ? $"{pending} swapped in, not confirmed yet" : report.Update?.Available is { } available ? $"{available} (cerver-relay update)" : "nothing"),
        ]);
        if (report.Update?.LastResult is { Outcome: Update.UpdateResult.RolledBack } rolledBack)
        {
            Console.WriteLine($"last update to {rolledBack.Version} was rolled back: {rolledBack.Reason}");
        }
    }

    private static string IsolationLine(StatusReport report) => report.Isolation switch
    {
        "none" => CliOutput.Paint($"none (CERVER_ISOLATION={report.IsolationMode}) — WARNING: processes are not sandboxed, they run as you with your files, keys and network", CliOutput.Yellow),
        "unavailable" => CliOutput.Paint($"unavailable (CERVER_ISOLATION={report.IsolationMode}) — nothing runs: {report.IsolationProblem}", CliOutput.Red),
        var name => $"{name ?? "?"} (CERVER_ISOLATION={report.IsolationMode ?? "?"})",
    };

    private static string Limits(Compute.Contract.SandboxLimits? limits) => limits is null ? "?"
        : $"{limits.MemoryBytes / (1024 * 1024)} MiB memory{(limits.EnforcedBy == "rlimit" ? " per process" : "")}, {limits.Processes} processes, "
          + $"{limits.WorkspaceBytes / (1024 * 1024)} MiB workspace, {limits.FileSizeBytes / (1024 * 1024)} MiB per file (enforced by {limits.EnforcedBy})";

    private static string Account(GatewayStatus? gateway) => gateway switch
    {
        { AccountId: { } account } => $"{account}{(gateway.KeyId is null ? "" : $" (key {gateway.KeyId})")}",
        { LoggedIn: true } => "API key configured, not yet confirmed by the gateway",
        _ => "not logged in (cerver-relay login)",
    };

    private static string Registration(GatewayStatus gateway) => gateway.Registration switch
    {
        "registered" => "registered",
        "failing" => CliOutput.Paint($"failing since {gateway.LastErrorAt:HH:mm:ss}: {gateway.LastError}", CliOutput.Yellow),
        "is_gateway" => "this relay is the gateway",
        "not_logged_in" => "not logged in",
        { } other => other,
        null => gateway.Link,
    };

    /// <summary>A channel to the gateway (the dispatch link or the connect channel): connected or offline since when, and why.</summary>
    private static string Link(string? state, DateTimeOffset? since, string? error) => (state, since) switch
    {
        ("connected", { } at) => $"connected since {at.ToLocalTime():yyyy-MM-dd HH:mm:ss}",
        ("offline", { } at) => $"offline since {at.ToLocalTime():yyyy-MM-dd HH:mm:ss}{(error is null ? "" : $": {error}")}",
        ("offline", null) => "offline (--offline)",
        _ => "not linked (needs login and registration)",
    };

    private static string Heartbeat(GatewayStatus? gateway) => gateway?.LastHeartbeatAt is { } last
        ? $"{last.ToLocalTime():yyyy-MM-dd HH:mm:ss}"
        : "none yet";

    private static string UpdateCheckLine(UpdateStatus? update) => update?.LastCheckAt switch
    {
        null => "never",
        { } at when update.LastCheckError is { } error => $"{at.ToLocalTime():yyyy-MM-dd HH:mm} (failed: {error})",
        { } at => $"{at.ToLocalTime():yyyy-MM-dd HH:mm}",
    };

    private static string Uptime(long seconds) => seconds switch
    {
        < 60 => $"{seconds}s",
        < 3600 => $"{seconds / 60}m",
        < 86400 => $"{seconds / 3600}h {seconds % 3600 / 60}m",
        _ => $"{seconds / 86400}d {seconds % 86400 / 3600}h",
    };

    private static string ReportsLine(Reports.SessionReportsSnapshot? reports) => reports switch
    {
        null => "?",
        { KeyRefused: true } => $"{reports.Pending} waiting: the gateway refused this relay's key; log in again (cerver-relay login)",
        { Pending: > 0, LastError: { } error } => $"{reports.Pending} waiting for the gateway ({error}), {reports.Delivered} delivered",
        _ => $"{reports.Pending} waiting, {reports.Delivered} delivered"
            + (reports.Dropped > 0 ? $", {reports.Dropped} refused for good (last: {reports.LastDropped})" : ""),
    };
}
