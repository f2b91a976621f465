using System.Runtime.InteropServices;

namespace Cerver.Relay.Service;

/// <summary>
/// launchd: a LaunchAgent in the user's GUI domain (<c>launchctl bootstrap|bootout gui/&lt;uid&gt;</c>),
/// or (with an account) a LaunchDaemon in the system domain that starts at boot and runs as that account.
/// </summary>
public sealed partial class LaunchAgentService(ServiceDefinition definition, string plistDirectory) : ServiceManager(definition)
{
    public const string DaemonDirectory = "/Library/LaunchDaemons";

    public override string ManagerName => "launchd";

    public override string DefinitionPath => Path.Combine(plistDirectory, LaunchdPlist.FileName);

    protected override string ServiceName => LaunchdPlist.Label;

    protected override string LogsHint => $"; its output is in {Definition.LogsDirectory}/launchd.err.log";

    private string Domain => Scope == ServiceScope.System ? "system" : $"gui/{GetEffectiveUserId()}";

    private string Target => $"{Domain}/{LaunchdPlist.Label}";

    public override string Render() => LaunchdPlist.Render(Definition);

    public override async Task<string?> FindMissingManagerAsync(CancellationToken cancellationToken)
    {
        if (Scope == ServiceScope.System)
        {
            return null;
        }

        var (ok, _) = await RunAsync("launchctl", ["print", Domain], cancellationToken);
        return ok ? null : $"{Environment.UserName} has no GUI login session, where a LaunchAgent runs (log in on the Mac, or install a LaunchDaemon with 'sudo cerver-relay service install --system')";
    }

    protected override async Task<ServiceOutcome> InstallCoreAsync(CancellationToken cancellationToken)
    {
        await WriteDefinitionAsync(cancellationToken);
        // A service loaded from an older plist keeps the old definition until it is booted out.
        await RunAsync("launchctl", ["bootout", Target], cancellationToken);
        var (ok, output) = await RunAsync("launchctl", ["bootstrap", Domain, DefinitionPath], cancellationToken);
        var when = Scope == ServiceScope.System ? $"at boot, as {Definition.Account!.Name}" : "at login";
        return ok
            ? new ServiceOutcome(true, $"Installed and started {DefinitionPath}; it starts {when} and restarts if it stops.\nLogs: {Definition.LogsDirectory}/.")
            : new ServiceOutcome(false, $"Wrote {DefinitionPath}, but could not load it: 'launchctl bootstrap {Domain}' failed: {output}");
    }

    protected override async Task<string?> RemoveCoreAsync(CancellationToken cancellationToken)
    {
        await RunAsync("launchctl", ["bootout", Target], cancellationToken);
        return null;
    }

    protected override async Task<ServiceOutcome> ActCoreAsync(string verb, CancellationToken cancellationToken)
    {
        switch (verb)
        {
            case "stop":
            {
                // KeepAlive restarts a killed service, so stopping means booting it out until the next start, login or boot.
                var (ok, output) = await RunAsync("launchctl", ["bootout", Target], cancellationToken);
                return ok ? new ServiceOutcome(true, $"Stopped {LaunchdPlist.Label} (it starts again at the next {(Scope == ServiceScope.System ? "boot" : "login")} or '{Verb("start")}').") : new ServiceOutcome(false, $"Could not stop {LaunchdPlist.Label}: {output}");
            }

            default:
            {
                var (ok, output) = await RunAsync("launchctl", ["bootstrap", Domain, DefinitionPath], cancellationToken);
                if (!ok || verb == "restart")
                {
                    // Already loaded: kickstart starts it, and -k restarts a running one.
                    (ok, output) = await RunAsync("launchctl", verb == "restart" ? ["kickstart", "-k", Target] : ["kickstart", Target], cancellationToken);
                }

                return ok ? new ServiceOutcome(true, $"{(verb == "restart" ? "Restarted" : "Started")} {LaunchdPlist.Label}.") : new ServiceOutcome(false, $"Could not {verb} {LaunchdPlist.Label}: {output}");
            }
        }
    }

    protected override async Task<(bool Running, string Detail)> StateCoreAsync(CancellationToken cancellationToken)
    {
        var (ok, output) = await RunAsync("launchctl", ["print", Target], cancellationToken);
        return ok && output.Contains("state = running", StringComparison.Ordinal) ? (true, "running") : (false, ok ? "loaded, not running" : "not loaded");
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
