using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cerver.Relay.Update;

/// <summary>One periodic look for an update.</summary>
public interface IUpdateRun
{
    Task RunOnceAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Looks for updates every 6 h with up to ±30 min of jitter, so that many relays do not ask
/// GitHub at the same moment; the first look comes 5–15 min after start, so a crash loop never
/// turns into a stream of API calls.
/// </summary>
public sealed partial class UpdateScheduler(IUpdateRun run, TimeProvider time, Random random, ILogger<UpdateScheduler> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(6);
    public static readonly TimeSpan Jitter = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan FirstDelayMin = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan FirstDelayMax = TimeSpan.FromMinutes(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = FirstDelayMin + (FirstDelayMax - FirstDelayMin) * random.NextDouble();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(delay, time, stoppingToken);
                await run.RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (UpdateException exception)
            {
                LogCheckFailed(exception.Message);
            }

            delay = Interval + Jitter * (2 * random.NextDouble() - 1);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Update check failed: {Reason}")]
    private partial void LogCheckFailed(string reason);
}

/// <summary>
/// The daemon's periodic look: records what it found, and under a service manager applies a
/// newer release itself. A daemon started by hand only says that one is waiting, since nothing
/// would start it again after it exits.
/// </summary>
public sealed partial class AutoUpdateRun(Updater updater, UpdateHandoff handoff, Daemon.RelaySettingsSnapshot snapshot, ILogger<AutoUpdateRun> logger) : IUpdateRun
{
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var check = await updater.CheckAsync(includePreReleases: false, wanted: null, cancellationToken);
        if (!check.IsNewer)
        {
            LogCurrent(check.Installed.ToString());
            return;
        }

        var release = check.Release!;
        var settings = snapshot.Value;
        if (settings.ServiceManager is null)
        {
            LogWaiting(release.Version.ToString());
            return;
        }

        await updater.StageAsync(release, SilentProgress.Instance, cancellationToken);
        handoff.Begin(release.Version, settings.ShutdownGrace);
    }

    [LoggerMessage(LogLevel.Information, "Update check: {Installed} is current")]
    private partial void LogCurrent(string installed);

    [LoggerMessage(LogLevel.Information, "Version {Version} is available; run 'cerver-relay update' to install it (automatic updates apply only under 'cerver-relay service')")]
    private partial void LogWaiting(string version);
}
