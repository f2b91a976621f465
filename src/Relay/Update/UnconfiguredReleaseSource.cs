namespace Cerver.Relay.Update;

/// <summary>Stands in when neither the build nor <c>CERVER_UPDATE_REPO</c> names a repository, so looking for releases says what to set.</summary>
public sealed class UnconfiguredReleaseSource : IReleaseSource
{
    public static UnconfiguredReleaseSource Instance { get; } = new();

    public Task<ReleaseInfo?> LatestAsync(bool includePreReleases, CancellationToken cancellationToken) => throw NotConfigured();

    public Task<ReleaseInfo?> ByVersionAsync(SemanticVersion version, CancellationToken cancellationToken) => throw NotConfigured();

    private static UpdateException NotConfigured() =>
        new("this build has no release repository built in and CERVER_UPDATE_REPO is not set, so there is nowhere to look for releases; set CERVER_UPDATE_REPO to the GitHub repository (owner/name) that publishes cerver-relay.") { Kind = UpdateFailure.NotConfigured };
}
