using Octokit;

namespace Cerver.Relay.Update;

public sealed record ReleaseAsset(string Name, Uri DownloadUrl, long Size);

/// <summary>A published release whose tag is a semantic version.</summary>
public sealed record ReleaseInfo(SemanticVersion Version, string Tag, bool PreRelease, IReadOnlyList<ReleaseAsset> Assets)
{
    public ReleaseAsset? Asset(string name) => Assets.FirstOrDefault(asset => asset.Name == name);
}

/// <summary>Where releases are looked up: GitHub's release API in production, a loopback fake in tests.</summary>
public interface IReleaseSource
{
    /// <summary>The newest release, or null when none is published (pre-releases only when asked).</summary>
    Task<ReleaseInfo?> LatestAsync(bool includePreReleases, CancellationToken cancellationToken);

    /// <summary>The release tagged <c>v&lt;version&gt;</c>, or null when there is none.</summary>
    Task<ReleaseInfo?> ByVersionAsync(SemanticVersion version, CancellationToken cancellationToken);
}

/// <summary>Reads releases of <c>CERVER_UPDATE_REPO</c> through Octokit, turning every API failure into one sentence.</summary>
public sealed class GitHubReleaseSource : IReleaseSource
{
    public static readonly Uri DefaultApiUrl = new("https://api.github.com/");

    /// <summary>How long one API call may take before the check gives up with a sentence naming the host (Octokit's own default is 100 s of silence).</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(20);

    private readonly GitHubClient _client;
    private readonly string _owner;
    private readonly string _name;
    private readonly Uri _apiUrl;

    public GitHubReleaseSource(string repository, Uri? apiUrl, string userAgentVersion)
    {
        var parts = repository.Split('/');
        if (parts.Length != 2 || parts.Any(string.IsNullOrWhiteSpace))
        {
            throw new UpdateException($"CERVER_UPDATE_REPO must look like owner/name, not '{repository}'.");
        }

        (_owner, _name) = (parts[0], parts[1]);
        // Octokit's GitHubClient(…, Uri) rewrites any non-github.com address to …/api/v3/;
        // building the Connection directly keeps CERVER_GITHUB_API_URL the exact API base.
        _apiUrl = apiUrl is null ? DefaultApiUrl : new Uri(apiUrl.ToString().TrimEnd('/') + "/");
        _client = new GitHubClient(new Connection(new ProductHeaderValue("cerver-relay", userAgentVersion), _apiUrl));
        _client.SetRequestTimeout(RequestTimeout);
    }

    public string Repository => $"{_owner}/{_name}";

    public async Task<ReleaseInfo?> LatestAsync(bool includePreReleases, CancellationToken cancellationToken)
    {
        if (!includePreReleases)
        {
            // /releases/latest is GitHub's newest non-draft, non-pre-release.
            var latest = await CallAsync(() => _client.Repository.Release.GetLatest(_owner, _name));
            return latest is null ? null : ToInfo(latest);
        }

        var all = await CallAsync(() => _client.Repository.Release.GetAll(_owner, _name, new ApiOptions { PageSize = 30, PageCount = 1 }));
        return all?.Where(release => !release.Draft)
            .Select(release => SemanticVersion.TryParse(release.TagName, out _) ? ToInfo(release) : null)
            .OfType<ReleaseInfo>()
            .MaxBy(release => release.Version);
    }

    public async Task<ReleaseInfo?> ByVersionAsync(SemanticVersion version, CancellationToken cancellationToken)
    {
        var release = await CallAsync(() => _client.Repository.Release.Get(_owner, _name, $"v{version}"));
        return release is null ? null : ToInfo(release);
    }

    private ReleaseInfo ToInfo(Release release) =>
        SemanticVersion.TryParse(release.TagName, out var version)
            ? new ReleaseInfo(version, release.TagName, release.Prerelease, release.Assets.Select(asset => new ReleaseAsset(asset.Name, new Uri(asset.BrowserDownloadUrl), asset.Size)).ToList())
            : throw new UpdateException($"the release tag '{release.TagName}' in {Repository} is not v<semantic version>, so it cannot be compared with this version.");

    /// <summary>Runs one API call; null means 404.</summary>
    private async Task<T?> CallAsync<T>(Func<Task<T>> call) where T : class
    {
        try
        {
            return await call();
        }
        catch (NotFoundException)
        {
            return null;
        }
        catch (RateLimitExceededException exception)
        {
            throw new UpdateException($"GitHub's API rate limit for this address is used up ({exception.Limit} requests an hour); it resets at {exception.Reset.UtcDateTime:HH:mm} UTC. Try again after that.", exception);
        }
        catch (AuthorizationException exception)
        {
            throw new UpdateException($"GitHub refused to list the releases of {Repository} ({exception.Message}); check CERVER_UPDATE_REPO.", exception);
        }
        catch (ApiException exception)
        {
            throw new UpdateException($"GitHub answered {(int)exception.StatusCode} ({exception.Message}) when asked for the releases of {Repository}; try again later.", exception);
        }
        catch (HttpRequestException exception)
        {
            throw new UpdateException($"cannot reach {_apiUrl.Authority} to look for updates ({exception.Message.TrimEnd('.')}); check the network, HTTPS_PROXY or CERVER_GITHUB_API_URL.", exception) { Kind = UpdateFailure.Unreachable };
        }
        catch (Exception exception) when (exception is OperationCanceledException or TimeoutException)
        {
            throw new UpdateException($"{_apiUrl.Authority} did not answer within {RequestTimeout.TotalSeconds:0} s when asked for the releases of {Repository}; check the network, HTTPS_PROXY or CERVER_GITHUB_API_URL, and try again later.", exception) { Kind = UpdateFailure.Unreachable };
        }
    }
}

/// <summary>The release asset names of SPEC section 8.</summary>
public static class ReleaseAssets
{
    public const string Sums = "SHA256SUMS";
    public const string Signature = "SHA256SUMS.sig";

    public static string ArchiveFor(string rid) => $"cerver-relay-{rid}.tar.gz";

    /// <summary>This machine's runtime identifier among those releases are built for, or null.</summary>
    public static string? CurrentRid()
    {
        var os = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "osx" : null;
        var arch = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.X64 => "x64",
            System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
            _ => null,
        };
        return os is null || arch is null ? null : $"{os}-{arch}";
    }
}
