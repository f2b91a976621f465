using Cerver.Relay.Configuration;

namespace Cerver.Relay.Update;

/// <summary>What a check found: the installed version and the release it was compared with.</summary>
public sealed record UpdateCheck(SemanticVersion Installed, ReleaseInfo? Release)
{
    public bool IsNewer => Release is not null && Release.Version > Installed;
}

/// <summary>
/// Finds, downloads, verifies and stages releases, then swaps the link. Every step before the
/// swap works beside the installed versions, so a failure leaves what is installed untouched.
/// </summary>
public sealed class Updater(RelayPaths paths, IReleaseSource source, AssetDownloader downloader, UpdateTrust trust, TimeProvider time)
{
    public Installation Installation { get; } = new(paths);

    public UpdateStateStore State { get; } = new(Path.Combine(paths.RelayDirectory, "update.json"));

    /// <summary>Looks up the newest release (or <paramref name="wanted"/>) and records the check in <c>update.json</c>.</summary>
    public async Task<UpdateCheck> CheckAsync(bool includePreReleases, SemanticVersion? wanted, CancellationToken cancellationToken)
    {
        var installed = InstalledVersion();
        try
        {
            var release = wanted is null
                ? await source.LatestAsync(includePreReleases, cancellationToken)
                : await source.ByVersionAsync(wanted, cancellationToken)
                    ?? throw new UpdateException($"there is no release v{wanted}; 'cerver-relay update --check' shows the newest one.");
            var check = new UpdateCheck(installed, release);
            State.Update(state => state with
            {
                LastCheckAt = time.GetUtcNow(),
                LastCheckError = null,
                Available = check.IsNewer ? check.Release!.Version.ToString() : null,
            });
            return check;
        }
        catch (UpdateException exception)
        {
            State.Update(state => state with { LastCheckAt = time.GetUtcNow(), LastCheckError = exception.Message });
            throw;
        }
    }

    /// <summary>Downloads and verifies <paramref name="release"/> for this platform and unpacks it into <c>versions/&lt;v&gt;</c>, tested but not current.</summary>
    public async Task StageAsync(ReleaseInfo release, IDownloadProgress progress, CancellationToken cancellationToken)
    {
        var rid = ReleaseAssets.CurrentRid()
            ?? throw new UpdateException($"releases are built for Linux and macOS on x64 and arm64 only; this machine ({System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier}) cannot be updated.");
        var archiveName = ReleaseAssets.ArchiveFor(rid);
        var archive = release.Asset(archiveName)
            ?? throw new UpdateException($"release {release.Tag} has no {archiveName}, so it has nothing for this machine ({rid}). Nothing was changed.");
        var sumsAsset = release.Asset(ReleaseAssets.Sums)
            ?? throw new UpdateException($"release {release.Tag} has no {ReleaseAssets.Sums}, so its files cannot be verified. Nothing was changed.");
        var signatureAsset = release.Asset(ReleaseAssets.Signature)
            ?? throw new UpdateException($"release {release.Tag} has no {ReleaseAssets.Signature}, so it cannot be verified. Nothing was changed.");

        var sums = new ReleaseVerifier(trust).VerifySums(
            release.Tag,
            await downloader.GetSmallAsync(sumsAsset, cancellationToken),
            await downloader.GetSmallAsync(signatureAsset, cancellationToken));

        Directory.CreateDirectory(paths.VersionsDirectory);
        var download = Path.Combine(paths.VersionsDirectory, $".download-{release.Version}-{Guid.NewGuid():N}.tar.gz");
        try
        {
            await using (var file = new FileStream(download, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await downloader.CopyAsync(archive, file, progress, maxBytes: null, cancellationToken);
            }

            ReleaseVerifier.VerifyFile(download, archiveName, sums);
            await Installation.StageAsync(download, release.Version, cancellationToken);
        }
        catch (IOException exception) when (AssetDownloader.IsDiskFull(exception))
        {
            throw new UpdateException($"the disk is full: {archiveName} could not be saved. Free some space and try again; nothing was changed.", exception);
        }
        finally
        {
            File.Delete(download);
        }
    }

    /// <summary>Makes a staged version current and records it as on trial until it serves <c>/healthz</c>.</summary>
    public PendingUpdate Activate(SemanticVersion version)
    {
        var target = version.ToString();
        if (!File.Exists(Installation.BinaryOf(target)))
        {
            throw new UpdateException($"version {target} is not staged under {paths.VersionsDirectory}; run 'cerver-relay update' again.");
        }

        var pending = new PendingUpdate(target, Installation.CurrentVersion(), time.GetUtcNow());
        State.Update(state => state with { Pending = pending, Available = null });
        Installation.Swap(target);
        return pending;
    }

    /// <summary>Called by a daemon that has come up and answered <c>/healthz</c>: ends the trial, keeps this and the previous version.</summary>
    public bool Confirm(string runningVersion)
    {
        PendingUpdate? confirmed = null;
        State.Update(state =>
        {
            if (state.Pending?.Version != runningVersion)
            {
                return state;
            }

            confirmed = state.Pending;
            return state with { Pending = null, LastResult = new UpdateResult(runningVersion, UpdateResult.Applied, null, time.GetUtcNow()) };
        });
        if (confirmed is not null)
        {
            Installation.Prune(runningVersion, confirmed.Previous);
        }

        return confirmed is not null;
    }

    /// <summary>Puts the link back on the previous version and forgets the one that failed.</summary>
    public void RollBack(PendingUpdate pending, string reason)
    {
        if (pending.Previous is not null)
        {
            Installation.Swap(pending.Previous);
        }

        State.Update(state => state with { Pending = null, LastResult = new UpdateResult(pending.Version, UpdateResult.RolledBack, reason, time.GetUtcNow()) });
        if (pending.Previous is not null && Installation.CurrentVersion() != pending.Version)
        {
            Installation.Remove(pending.Version);
        }
    }

    private SemanticVersion InstalledVersion()
    {
        var current = Installation.CurrentVersion()
            ?? throw new UpdateException($"cerver-relay is not installed under {paths.CerverHome} ({Installation.Link} is not a link to a version), so it cannot update itself; install it with install-cerver.sh.") { Kind = UpdateFailure.NotConfigured };
        return SemanticVersion.TryParse(current, out var version)
            ? version
            : throw new UpdateException($"{Installation.Link} points at '{current}', which is not a version folder; reinstall with install-cerver.sh.");
    }
}
