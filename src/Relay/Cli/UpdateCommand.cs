using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
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
        var json = new Option<bool>("--json") { Description = "With --check: print the result as JSON (stable for scripts)." };
        var command = new Command("update", $"Update cerver-relay from its GitHub releases (signed, verified, rolled back if it does not come up). --check exits {ExitCodes.UpdateAvailable} when an update is available, 0 when up to date.") { check, version, pre, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = CliSettings.Load();
            SemanticVersion? wanted = null;
            if (parse.GetValue(version) is { } text && !SemanticVersion.TryParse(text, out wanted))
            {
                throw new CliExitException($"--version must be a semantic version such as 1.4.0 or 1.5.0-beta.1, not '{text}'.", ExitCodes.Usage);
            }

            if (parse.GetValue(json) && !parse.GetValue(check))
            {
                throw new CliExitException("--json goes with --check ('cerver-relay update --check --json').", ExitCodes.Usage);
            }

            using var downloads = UpdaterFactory.CreateDownloadClient();
            try
            {
                var updater = UpdaterFactory.Create(settings, downloads, UpdateTrust.BuiltIn, TimeProvider.System);
                return parse.GetValue(check)
                    ? await CheckAsync(updater, settings, parse.GetValue(pre), wanted, parse.GetValue(json), cancellationToken)
                    : await UpdateAsync(updater, settings, parse.GetValue(pre), wanted, cancellationToken);
            }
            catch (UpdateException exception)
            {
                throw new CliExitException(exception.Message, exception.Kind switch
                {
                    UpdateFailure.NotConfigured => ExitCodes.Configuration,
                    UpdateFailure.Unreachable => ExitCodes.Unreachable,
                    _ => ExitCodes.Failed,
                }, exception);
            }
        });
        return command;
    }

    /// <summary>Says whether a newer release exists: exit <see cref="ExitCodes.UpdateAvailable"/> when one does, 0 when up to date.</summary>
    private static async Task<int> CheckAsync(Updater updater, RelaySettings settings, bool pre, SemanticVersion? wanted, bool json, CancellationToken cancellationToken)
    {
        var result = await updater.CheckAsync(pre, wanted, cancellationToken);
        if (json)
        {
            Console.WriteLine(new JsonObject
            {
                ["installed"] = result.Installed.ToString(),
                ["latest"] = result.Release?.Version.ToString(),
                ["tag"] = result.Release?.Tag,
                ["pre_release"] = result.Release?.PreRelease,
                ["update_available"] = result.IsNewer,
                ["repository"] = settings.UpdateRepo,
            }.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            Console.WriteLine(Describe(result));
        }

        return result.IsNewer ? ExitCodes.UpdateAvailable : ExitCodes.Ok;
    }

    private static async Task<int> UpdateAsync(Updater updater, RelaySettings settings, bool pre, SemanticVersion? wanted, CancellationToken cancellationToken)
    {
        var check = await updater.CheckAsync(pre, wanted, cancellationToken);
        if (!check.IsNewer)
        {
            Console.WriteLine(Describe(check));
            return ExitCodes.Ok;
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
        return ExitCodes.Ok;
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
