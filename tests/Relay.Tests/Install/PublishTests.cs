using System.Formats.Tar;
using System.IO.Compression;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Install;

/// <summary>What <c>packaging/publish.sh</c> makes: the archive, its checksum and signature, and a trimmed binary that works.</summary>
[Collection(ReleaseBuildsGroup.Name)]
public sealed class PublishTests(ReleaseBuilds builds)
{
    private static readonly string PublishScript = Path.Combine(ReleaseBuilds.RepositoryRoot, "packaging", "publish.sh");

    [Fact]
    public async Task The_archive_holds_one_executable_listed_in_signed_SHA256SUMS()
    {
        var release = builds.Current;

        var entries = await ReadEntriesAsync(release.Archive);
        var entry = Assert.Single(entries);
        Assert.Equal("cerver-relay", entry.Name);
        Assert.Equal(TarEntryType.RegularFile, entry.EntryType);
        Assert.True(entry.Mode.HasFlag(UnixFileMode.UserExecute));

        var sums = await File.ReadAllBytesAsync(release.Sums, TestContext.Current.CancellationToken);
        Assert.Equal($"{ReleaseBuilds.Sha256Of(release.Archive)}  {ReleaseBuilds.AssetName}\n", Encoding.UTF8.GetString(sums));

        // The signature is checked the way the updater checks it: DER (RFC 3279) ECDSA P-256 over SHA-256.
        using var key = ECDsa.Create();
        key.ImportFromPem(await File.ReadAllTextAsync(builds.SigningKey, TestContext.Current.CancellationToken));
        using var verifier = ECDsa.Create();
        verifier.ImportSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
        Assert.Equal(256, verifier.KeySize);
        var signature = await File.ReadAllBytesAsync(release.Signature, TestContext.Current.CancellationToken);
        Assert.True(verifier.VerifyData(sums, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        sums[0] ^= 1;
        Assert.False(verifier.VerifyData(sums, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public async Task The_trimmed_binary_answers_version_and_serves_healthz_and_sandbox_runs()
    {
        using var folder = new TempDirectory("cerver-published");
        var binary = await ExtractAsync(builds.Current.Archive, folder.Path);
        var home = Path.Combine(folder.Path, "cerver-home");
        // The single file unpacks its native SQLite library under HOME/.net on first start.
        var environment = new Dictionary<string, string> { ["HOME"] = folder.Path };

        var version = await RelayProcess.RunCliAsync(home, ["version"], environment, binary);
        Assert.Equal(0, version.ExitCode);
        Assert.Equal(ReleaseBuilds.CurrentVersion, version.Stdout.Trim());

        using var relay = await RelayProcess.StartAsync(home, environment: environment, executable: binary);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{relay.Port}"), Timeout = TimeSpan.FromSeconds(60) };
        var health = await RelayDaemon.ReadJsonAsync(await client.GetAsync("/healthz"), 200);
        Assert.Equal(ReleaseBuilds.CurrentVersion, health["version"]!.GetValue<string>());

        client.DefaultRequestHeaders.Authorization = new("Bearer", (await File.ReadAllTextAsync(Path.Combine(home, "relay", "local.token"), TestContext.Current.CancellationToken)).Trim());
        var created = await RelayDaemon.ReadJsonAsync(await client.PostAsJsonAsync("/sandbox", new Dictionary<string, object>()), 201);
        var id = created["sandbox_id"]!.GetValue<string>();
        var run = await RelayDaemon.ReadJsonAsync(await client.PostAsJsonAsync($"/sandbox/{id}/run", new Dictionary<string, object> { ["code"] = "echo trimmed && echo $CERVER_SANDBOX_ID" }), 200);
        Assert.Equal(0, run["exit_code"]!.GetValue<int>());
        Assert.StartsWith("trimmed\n", run["stdout"]!.GetValue<string>(), StringComparison.Ordinal);

        // Source-generated JSON survives trimming on the error path too.
        var bad = await client.PostAsync($"/sandbox/{id}/run", new StringContent("{bad", Encoding.UTF8, "application/json"));
        Assert.Equal("invalid_json", await RelayDaemon.ReadErrorAsync(bad, 400));
    }

    [Theory]
    [InlineData("win-x64", "1.0.0", "runtime 'win-x64' is not supported; releases are built for: linux-x64 linux-arm64 osx-x64 osx-arm64")]
    [InlineData("linux-x64", "v1.0.0", "version 'v1.0.0' is not a semantic version")]
    public async Task Publish_refuses_a_runtime_or_version_it_cannot_release(string rid, string version, string message)
    {
        using var output = new TempDirectory("cerver-dist");

        var publish = await ChildProcess.RunAsync("bash", [PublishScript, "--version", version, "--rid", rid, "--out", output.Path], TimeSpan.FromMinutes(1));

        Assert.Equal(2, publish.ExitCode);
        Assert.Contains($"publish: {message}", publish.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(output.Path));
    }

    private static async Task<List<TarEntry>> ReadEntriesAsync(string archive)
    {
        await using var file = File.OpenRead(archive);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        await using var tar = new TarReader(gzip);
        var entries = new List<TarEntry>();
        while (await tar.GetNextEntryAsync() is { } entry)
        {
            entries.Add(entry);
        }

        return entries;
    }

    private static async Task<string> ExtractAsync(string archive, string folder)
    {
        await using var file = File.OpenRead(archive);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        await TarFile.ExtractToDirectoryAsync(gzip, folder, overwriteFiles: false);
        return Path.Combine(folder, "cerver-relay");
    }
}
