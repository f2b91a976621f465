namespace Cerver.Relay.Service;

/// <summary>
/// A systemd unit: a user unit driven with <c>systemctl --user</c>, or (with an account) a system
/// unit in <c>/etc/systemd/system</c> that starts at boot and runs as that account.
/// </summary>
public sealed class SystemdService(ServiceDefinition definition, string unitDirectory) : ServiceManager(definition)
{
    public const string SystemUnitDirectory = "/etc/systemd/system";

    /// <summary>Exists when systemd is PID 1 (what <c>sd_booted()</c> checks).</summary>
    private const string BootedMarker = "/run/systemd/system";

    public override string ManagerName => "systemd";

    public override string DefinitionPath => Path.Combine(unitDirectory, SystemdUnit.FileName);

    protected override string ServiceName => SystemdUnit.FileName;

    private bool IsUser => Scope == ServiceScope.User;

    private string Journal => IsUser ? "journalctl --user -u cerver-relay" : "journalctl -u cerver-relay";

    protected override string LogsHint => $"; '{Journal}' says why it stopped";

    public override string Render() => SystemdUnit.Render(Definition);

    public override async Task<string?> FindMissingManagerAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(BootedMarker))
        {
            return "systemd is not running on this machine (its process 1 is not systemd, as in most containers)";
        }

        if (!IsUser)
        {
            return null;
        }

        // "offline" (or a bus error) when no user manager answers; running, degraded, starting… otherwise.
        var (_, output) = await RunAsync("systemctl", ["--user", "is-system-running"], cancellationToken);
        return output.Contains("offline", StringComparison.Ordinal) || output.Contains("Failed to connect", StringComparison.Ordinal) || output.Contains("not available", StringComparison.Ordinal)
            ? $"no systemd user manager runs for {Environment.UserName} (one starts with a login session; su, sudo, some SSH sessions and containers have none)"
            : null;
    }

    public override async Task<bool?> LingerAsync(CancellationToken cancellationToken)
    {
        if (!IsUser)
        {
            return null;
        }

        var (ok, output) = await RunAsync("loginctl", ["show-user", Environment.UserName, "-p", "Linger", "--value"], cancellationToken);
        return !ok ? null : output.Trim() switch { "yes" => true, "no" => false, _ => null };
    }

    /// <summary>A user service without linger stops at logout: the exact command that changes it.</summary>
    public static string LingerAdvice(string user) =>
        $"It runs only while {user} is logged in; to start it at boot and keep it running after logout, run once: sudo loginctl enable-linger {ServiceFallback.ShellQuote(user)}";

    protected override async Task<ServiceOutcome> InstallCoreAsync(CancellationToken cancellationToken)
    {
        await WriteDefinitionAsync(cancellationToken);
        var failure = await SystemctlAsync(cancellationToken, ["daemon-reload"], ["enable", SystemdUnit.FileName], ["restart", SystemdUnit.FileName]);
        if (failure is not null)
        {
            return new ServiceOutcome(false, $"Wrote {DefinitionPath}, but could not start it: {failure}\nSee '{Journal}' for why.");
        }

        var message = $"Installed and started {DefinitionPath}.\nLogs: {Journal}, and {Definition.LogsDirectory}/.";
        if (!IsUser)
        {
            return new ServiceOutcome(true, $"{message}\nIt starts at boot and runs as {Definition.Account!.Name}.");
        }

        return await LingerAsync(cancellationToken) == false
            ? new ServiceOutcome(true, $"{message}\n{LingerAdvice(Environment.UserName)}")
            : new ServiceOutcome(true, message);
    }

    protected override Task<string?> RemoveCoreAsync(CancellationToken cancellationToken) =>
        SystemctlAsync(cancellationToken, ["disable", "--now", SystemdUnit.FileName]);

    protected override async Task<ServiceOutcome> ActCoreAsync(string verb, CancellationToken cancellationToken)
    {
        var failure = await SystemctlAsync(cancellationToken, [verb, SystemdUnit.FileName]);
        var done = verb switch { "start" => "Started", "stop" => "Stopped", _ => "Restarted" };
        return failure is null
            ? new ServiceOutcome(true, $"{done} {SystemdUnit.FileName}.")
            : new ServiceOutcome(false, $"Could not {verb} {SystemdUnit.FileName}: {failure}\nSee '{Journal}' for why.");
    }

    protected override async Task<(bool Running, string Detail)> StateCoreAsync(CancellationToken cancellationToken)
    {
        var (ok, output) = await RunAsync("systemctl", [.. ScopeArguments, "is-active", SystemdUnit.FileName], cancellationToken);
        return (ok, output);
    }

    private string[] ScopeArguments => IsUser ? ["--user"] : [];

    /// <summary>Runs each <c>systemctl</c> call in turn; the first failure's reason, or null.</summary>
    private async Task<string?> SystemctlAsync(CancellationToken cancellationToken, params string[][] calls)
    {
        foreach (var call in calls)
        {
            var (ok, output) = await RunAsync("systemctl", [.. ScopeArguments, .. call], cancellationToken);
            if (!ok)
            {
                return $"'systemctl {string.Join(' ', [.. ScopeArguments, .. call])}' failed: {output}";
            }
        }

        return null;
    }
}
