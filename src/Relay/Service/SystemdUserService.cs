namespace Cerver.Relay.Service;

/// <summary>A systemd user unit, driven with <c>systemctl --user</c>.</summary>
public sealed class SystemdUserService(ServiceDefinition definition, string unitDirectory) : ServiceManager(definition)
{
    public const string LingerAdvice =
        "A user service runs only while you are logged in. To keep the relay running after you log out and start it at boot, run once: loginctl enable-linger $USER";

    public override string DefinitionPath => Path.Combine(unitDirectory, SystemdUnit.FileName);

    public override string Render() => SystemdUnit.Render(Definition);

    public override async Task<ServiceOutcome> InstallAsync(CancellationToken cancellationToken)
    {
        WriteDefinition();
        var failure = await SystemctlAsync(cancellationToken, ["daemon-reload"], ["enable", "--now", SystemdUnit.FileName]);
        return failure is null
            ? new ServiceOutcome(true, $"Installed and started {DefinitionPath}.\nLogs: journalctl --user -u cerver-relay, and {Definition.LogsDirectory}/.\n{LingerAdvice}")
            : new ServiceOutcome(false, $"Wrote {DefinitionPath}, but could not start it: {failure}\n{NoUserManagerHint}\n{LingerAdvice}");
    }

    public override async Task<ServiceOutcome> UninstallAsync(CancellationToken cancellationToken)
    {
        var stopFailure = File.Exists(DefinitionPath) ? await SystemctlAsync(cancellationToken, ["disable", "--now", SystemdUnit.FileName]) : null;
        File.Delete(DefinitionPath);
        var reloadFailure = await SystemctlAsync(cancellationToken, ["daemon-reload"]);
        var failure = stopFailure ?? reloadFailure;
        return failure is null
            ? new ServiceOutcome(true, $"Stopped the service and removed {DefinitionPath}. CERVER_HOME and its data are kept.")
            : new ServiceOutcome(false, $"Removed {DefinitionPath}, but systemd could not be told: {failure}\n{NoUserManagerHint}");
    }

    public override Task<ServiceOutcome> StartAsync(CancellationToken cancellationToken) => ActAsync("start", "Started", cancellationToken);

    public override Task<ServiceOutcome> StopAsync(CancellationToken cancellationToken) => ActAsync("stop", "Stopped", cancellationToken);

    public override async Task<ServiceOutcome> StatusAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(DefinitionPath))
        {
            return new ServiceOutcome(false, $"The service is not installed ({DefinitionPath} does not exist); install it with 'cerver-relay service install'.");
        }

        var (ok, output) = await RunAsync("systemctl", ["--user", "is-active", SystemdUnit.FileName], cancellationToken);
        return ok
            ? new ServiceOutcome(true, $"cerver-relay.service is {output} ({DefinitionPath}).")
            : new ServiceOutcome(false, $"cerver-relay.service is installed ({DefinitionPath}) but not running: {output}\nStart it with 'cerver-relay service start'; see 'journalctl --user -u cerver-relay' for why it stopped.");
    }

    private const string NoUserManagerHint =
        "Is a systemd user session running? Over SSH or in a container there may be none: log in normally, or enable lingering, then run 'cerver-relay service start'.";

    private async Task<ServiceOutcome> ActAsync(string verb, string done, CancellationToken cancellationToken)
    {
        if (!File.Exists(DefinitionPath))
        {
            return new ServiceOutcome(false, $"The service is not installed ({DefinitionPath} does not exist); install it with 'cerver-relay service install'.");
        }

        var failure = await SystemctlAsync(cancellationToken, [verb, SystemdUnit.FileName]);
        return failure is null ? new ServiceOutcome(true, $"{done} cerver-relay.service.") : new ServiceOutcome(false, $"Could not {verb} cerver-relay.service: {failure}\n{NoUserManagerHint}");
    }

    /// <summary>Runs each <c>systemctl --user</c> call in turn; the first failure's reason, or null.</summary>
    private static async Task<string?> SystemctlAsync(CancellationToken cancellationToken, params string[][] calls)
    {
        foreach (var call in calls)
        {
            var (ok, output) = await RunAsync("systemctl", ["--user", .. call], cancellationToken);
            if (!ok)
            {
                return $"'systemctl --user {string.Join(' ', call)}' failed: {output}";
            }
        }

        return null;
    }
}
