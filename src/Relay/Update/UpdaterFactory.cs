using Cerver.Relay.Configuration;
using Cerver.Relay.Daemon;

namespace Cerver.Relay.Update;

/// <summary>Builds the updater from the relay's settings, for the CLI and the daemon alike.</summary>
public static class UpdaterFactory
{
    public static HttpClient CreateDownloadClient() => new() { Timeout = TimeSpan.FromMinutes(15) };

    public static Updater Create(RelaySettings settings, HttpClient downloads, UpdateTrust trust, TimeProvider time)
    {
        IReleaseSource source = settings.UpdateRepo is { } repository
            ? new GitHubReleaseSource(repository, settings.GitHubApiUrl is { } api ? new Uri(api) : null, RelayVersion.Current)
            : UnconfiguredReleaseSource.Instance;
        return new Updater(settings.Paths, source, new AssetDownloader(downloads), trust, time);
    }
}
