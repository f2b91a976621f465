using Cerver.Relay.Tests.Infrastructure;
using Cerver.Relay.Update;

namespace Cerver.Relay.Tests.Update;

public sealed class AssetDownloaderTests
{
    [Fact]
    public async Task A_full_disk_is_said_in_plain_words()
    {
        await using var github = await FakeGitHub.StartAsync();
        github.Publish(new FakeRelease("v1.0.0", false, new Dictionary<string, byte[]> { ["big.tar.gz"] = new byte[256 * 1024] }));
        using var http = new HttpClient();
        var asset = new ReleaseAsset("big.tar.gz", new Uri(github.ApiUrl, "download/v1.0.0/big.tar.gz"), 256 * 1024);
        // /dev/full fails every write with ENOSPC, exactly as a full disk does.
        await using var full = new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1);

        var error = await Assert.ThrowsAsync<UpdateException>(() => new AssetDownloader(http).CopyAsync(asset, full, SilentProgress.Instance, null, CancellationToken.None));

        Assert.Contains("disk is full", error.Message, StringComparison.Ordinal);
    }
}
