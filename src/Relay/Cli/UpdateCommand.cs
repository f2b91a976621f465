using System.CommandLine;
using System.Net.Http.Json;
using Cerver.Relay.Configuration;
using Cerver.Relay.Daemon;
using Cerver.Relay.Update;

namespace Cerver.Relay.Cli;

public static class UpdateCommand
{
    public static Command Create()
    {
        var check = new Option<bool>("--check") { Description = "Only say whether a newer release exists." };
        var version = new Option<string?>("--version") { Description = "Install this version (it must still be newer than the installed one)." };
        var pre = new Option<bool>("--pre") { Description = "Consider pre-releases too." };
        var command = new Command("update", "Update cerver-relay from its GitHub releases (signed, verified, rolled back if it does not come up).") { check, version, pre };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!CliSettings.TryLoad(out var settings))
            {
                return CliOutput.Failed;
            }

            SemanticVersion? wanted = null;
            if (parse.GetValue(version) is { } text && !SemanticVersion.TryParse(text, out wanted))
            {
                Console.Error.WriteLine($"cerver-relay: --version must be a semantic version such as 1.4.0 or 1.5.0-beta.1, not '{text}'.");
                return CliOutput.BadUsage;
            }

            using var downloads = UpdaterFactory.CreateDownloadClient();
            try
            {
                var updater = UpdaterFactory.Create(settings, downloads, UpdateTrust.BuiltIn, TimeProvider.System);
                return parse.GetValue(check)
                    ? await CheckAsync(updater, parse.GetValue(pre), wanted, cancellationToken)
                    : await UpdateAsync(updater, settings, parse.GetValue(pre), wanted, cancellationToken);
            }
            catch (UpdateException exception)
            {
                return CliOutput.Error(exception.Message);
            }
        });
        return command;
    }

    private static async Task<int> CheckAsync(Updater updater, bool pre, SemanticVersion? wanted, CancellationToken cancellationToken)
    {
        var result = await updater.CheckAsync(pre, wanted, cancellationToken);
        Console.WriteLine(Describe(result));
        return CliOutput.Ok;
    }

    private static async Task<int> UpdateAsync(Updater updater, RelaySettings settings, bool pre, SemanticVersion? wanted, CancellationToken cancellationToken)
    {
        var check = await updater.CheckAsync(pre, wanted, cancellationToken);
        if (!check.IsNewer)
        {
            Console.WriteLine(Describe(check));
            return CliOutput.Ok;
        }

        var release = check.Release!;
        var daemon = await StatusCommand.QueryAsync(settings, cancellationToken);
        if (daemon.Running && daemon.Update?.Service is null)
        {
            return CliOutput.Error($"a relay runs on {daemon.Url} in the foreground, not as a service, so nothing would start it again after the update. Stop it, then run 'cerver-relay update' again (or use 'cerver-relay service install').");
        }

        Console.WriteLine($"Updating {check.Installed} → {release.Version} ({release.Tag})");
        await updater.StageAsync(release, IDownloadProgress.ForConsole(), cancellationToken);
        Console.WriteLine($"Signature and checksum verified; {release.Version} answers 'cerver-relay version'.");

        var (confirmed, failure) = daemon.Running
            ? await HandOverToDaemonAsync(updater, settings, release.Version, cancellationToken)
            : await new UpdateTrial(updater, UpdateTrial.DefaultLimit, settings.ShutdownGrace + TimeSpan.FromSeconds(5))
                .RunAsync(updater.Activate(release.Version), ["run"], environment: null, inheritOutput: false, cancellationToken);
        if (!confirmed)
        {
            return CliOutput.Error($"the update did not take: {failure}.");
        }

        Console.WriteLine($"Updated to {release.Version}; {check.Installed} is kept for rollback.{(daemon.Running ? " The service is restarting on the new version." : "")}");
        return CliOutput.Ok;
    }

    /// <summary>The service's daemon makes the staged version current, drains, proves it and exits; this waits for its verdict in update.json.</summary>
    private static async Task<(bool, string?)> HandOverToDaemonAsync(Updater updater, RelaySettings settings, SemanticVersion version, CancellationToken cancellationToken)
    {
        using (var client = new DaemonClient(settings))
        {
            using var response = await client.Http.PostAsJsonAsync("/relay/update/activate", new ActivateUpdateRequest { Version = version.ToString() }, RelayJsonContext.Default.ActivateUpdateRequest, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                throw new UpdateException($"the running relay refused the update ({(int)response.StatusCode}): {text}");
            }
        }

        Console.WriteLine("The service is draining running work and restarting on the new version…");
        var limit = UpdateTrial.DefaultLimit + settings.ShutdownGrace + TimeSpan.FromSeconds(60);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < limit)
        {
            if (updater.State.Read().LastResult is { } result && result.Version == version.ToString() && result.At >= DateTimeOffset.UtcNow - waited.Elapsed - TimeSpan.FromSeconds(1))
            {
                return result.Outcome == UpdateResult.Applied ? (true, null) : (false, result.Reason + $"; rolled back to {updater.Installation.CurrentVersion()}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }

        return (false, $"the service did not report within {limit.TotalSeconds:0} s; see 'cerver-relay status' and the logs in {settings.Paths.LogsDirectory}");
    }

    private static string Describe(UpdateCheck check) => check switch
    {
        { Release: null } => $"Installed: {check.Installed}. No release is published yet.",
        { IsNewer: true } => $"Installed: {check.Installed}. {check.Release.Version} ({check.Release.Tag}{(check.Release.PreRelease ? ", pre-release" : "")}) is available: run 'cerver-relay update'.",
        _ => $"Installed: {check.Installed} is up to date (newest release: {check.Release.Version}).",
    };
}
