using System.Runtime.InteropServices;

namespace Cerver.Relay.Service;

/// <summary>A LaunchAgent in the user's GUI domain, driven with <c>launchctl bootstrap|bootout gui/&lt;uid&gt;</c>.</summary>
public sealed partial class LaunchAgentService(ServiceDefinition definition, string agentsDirectory) : ServiceManager(definition)
{
    public override string DefinitionPath => Path.Combine(agentsDirectory, LaunchdPlist.FileName);

    private static string Domain => $"gui/{GetEffectiveUserId()}";

    private static string Target => $"{Domain}/{LaunchdPlist.Label}";

    public override string Render() => LaunchdPlist.Render(Definition);

    public override async Task<ServiceOutcome> InstallAsync(CancellationToken cancellationToken)
    {
        WriteDefinition();
        // A LaunchAgent loaded from an older plist keeps the old definition until it is booted out.
        await RunAsync("launchctl", ["bootout", Target], cancellationToken);
        var (ok, output) = await RunAsync("launchctl", ["bootstrap", Domain, DefinitionPath], cancellationToken);
        return ok
            ? new ServiceOutcome(true, $"Installed and started {DefinitionPath}; it starts at login and restarts if it stops.\nLogs: {Definition.LogsDirectory}/.")
            : new ServiceOutcome(false, $"Wrote {DefinitionPath}, but could not load it: 'launchctl bootstrap {Domain}' failed: {output}");
    }

    public override async Task<ServiceOutcome> UninstallAsync(CancellationToken cancellationToken)
    {
        await RunAsync("launchctl", ["bootout", Target], cancellationToken);
        File.Delete(DefinitionPath);
        return new ServiceOutcome(true, $"Stopped the service and removed {DefinitionPath}. CERVER_HOME and its data are kept.");
    }

    public override async Task<ServiceOutcome> StartAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(DefinitionPath))
        {
            return new ServiceOutcome(false, $"The service is not installed ({DefinitionPath} does not exist); install it with 'cerver-relay service install'.");
        }

        var (ok, output) = await RunAsync("launchctl", ["bootstrap", Domain, DefinitionPath], cancellationToken);
        if (!ok)
        {
            (ok, output) = await RunAsync("launchctl", ["kickstart", Target], cancellationToken);
        }

        return ok ? new ServiceOutcome(true, "Started ai.cerver.relay.") : new ServiceOutcome(false, $"Could not start ai.cerver.relay: {output}");
    }

    public override async Task<ServiceOutcome> StopAsync(CancellationToken cancellationToken)
    {
        // KeepAlive restarts a killed agent, so stopping means booting it out until the next start or login.
        var (ok, output) = await RunAsync("launchctl", ["bootout", Target], cancellationToken);
        return ok ? new ServiceOutcome(true, "Stopped ai.cerver.relay (it starts again at the next login or 'cerver-relay service start').") : new ServiceOutcome(false, $"Could not stop ai.cerver.relay: {output}");
    }

    public override async Task<ServiceOutcome> StatusAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(DefinitionPath))
        {
            return new ServiceOutcome(false, $"The service is not installed ({DefinitionPath} does not exist); install it with 'cerver-relay service install'.");
        }

        var (ok, output) = await RunAsync("launchctl", ["print", Target], cancellationToken);
        return ok && output.Contains("state = running", StringComparison.Ordinal)
            ? new ServiceOutcome(true, $"ai.cerver.relay is running ({DefinitionPath}).")
            : new ServiceOutcome(false, $"ai.cerver.relay is installed ({DefinitionPath}) but not running; start it with 'cerver-relay service start'.");
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
