using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Install;

/// <summary>
/// Two releases of this source for this machine's runtime, built once per source hash and cached
/// under the test project's <c>obj/release-cache/</c>:
/// <list type="bullet">
/// <item><see cref="Current"/>: the real thing, <c>packaging/publish.sh</c> with a freshly generated
/// ECDSA P-256 key (trimmed, self-contained, single file, signed SHA256SUMS).</item>
/// <item><see cref="Previous"/>: an older version to install and upgrade from. A second trimmed
/// publish would cost another 1–2 minutes of ILLink on this machine, and a stamped version cannot be
/// changed after the fact, so this one is a framework-dependent single-file publish of the same
/// source with another <c>-p:Version</c> (about 30 s): an archive of the same shape whose one
/// executable really answers <c>version</c>, using the SDK's shared runtime.</item>
/// </list>
/// </summary>
public sealed class ReleaseBuilds : IAsyncLifetime
{
    public const string CurrentVersion = "1.1.0";
    public const string PreviousVersion = "1.0.0";

    private static readonly TimeSpan PublishLimit = TimeSpan.FromMinutes(10);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Rid { get; } = HostRid();

    public static string AssetName => $"cerver-relay-{Rid}.tar.gz";

    /// <summary>Where the shared runtime lives, for the framework-dependent build.</summary>
    public static string DotnetRoot { get; } = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));

    public Release Current { get; private set; } = null!;

    public Release Previous { get; private set; } = null!;

    /// <summary>The PEM private key publish.sh signed <see cref="Current"/> with.</summary>
    public string SigningKey { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var cacheRoot = Path.Combine(RepositoryRoot, "tests", "Relay.Tests", "obj", "release-cache");
        var cache = Path.Combine(cacheRoot, SourceHash());
        if (!File.Exists(Path.Combine(cache, "complete")))
        {
            if (Directory.Exists(cacheRoot))
            {
                Directory.Delete(cacheRoot, recursive: true);
            }

            await BuildAsync(cache);
            await File.WriteAllTextAsync(Path.Combine(cache, "complete"), "");
        }

        SigningKey = Path.Combine(cache, "key.pem");
        Current = new Release(CurrentVersion, Path.Combine(cache, "current"));
        Previous = new Release(PreviousVersion, Path.Combine(cache, "previous"));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static async Task BuildAsync(string cache)
    {
        Directory.CreateDirectory(cache);
        var key = Path.Combine(cache, "key.pem");
        await RunAsync("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key]);
        await RunAsync("bash", [Path.Combine(RepositoryRoot, "packaging", "publish.sh"), "--version", CurrentVersion, "--rid", Rid, "--out", Path.Combine(cache, "current"), "--signing-key", key]);

        var output = Path.Combine(cache, "previous-publish");
        await RunAsync("dotnet", [
            "publish", Path.Combine(RepositoryRoot, "src", "Relay", "Relay.csproj"), "-nologo", "-v", "quiet",
            "-c", "Release", "-r", Rid, "--self-contained", "false",
            "-p:PublishSingleFile=true", "-p:IncludeNativeLibrariesForSelfExtract=true", "-p:DebugType=none",
            $"-p:Version={PreviousVersion}", "-o", output,
        ]);
        var previous = Directory.CreateDirectory(Path.Combine(cache, "previous")).FullName;
        var archive = Path.Combine(previous, AssetName);
        await PackAsync(Path.Combine(output, "cerver-relay"), archive);
        await File.WriteAllTextAsync(Path.Combine(previous, "SHA256SUMS"), $"{Sha256Of(archive)}  {AssetName}\n");
        Directory.Delete(output, recursive: true);
    }

    public static string Sha256Of(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>The archive layout publish.sh makes: the executable alone, at the root.</summary>
    private static async Task PackAsync(string executable, string archive)
    {
        await using var file = File.Create(archive);
        await using var gzip = new GZipStream(file, CompressionLevel.Optimal);
        await using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
        await tar.WriteEntryAsync(executable, "cerver-relay");
    }

    private static async Task RunAsync(string fileName, IEnumerable<string> arguments)
    {
        var result = await ChildProcess.RunAsync(fileName, arguments, PublishLimit);
        Assert.True(result.ExitCode == 0, $"{fileName} failed with {result.ExitCode}: {result.Output}");
    }

    /// <summary>Everything a release build depends on: sources, projects, build settings and the publish script.</summary>
    private static string SourceHash()
    {
        var files = new[] { "Directory.Build.props", "Directory.Packages.props", Path.Combine("packaging", "publish.sh") }
            .Select(path => Path.Combine(RepositoryRoot, path))
            .Concat(Directory.EnumerateFiles(Path.Combine(RepositoryRoot, "src"), "*", SearchOption.AllDirectories)
                .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                            && !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(RepositoryRoot, file) + "\n"));
            hash.AppendData(File.ReadAllBytes(file));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "CerverRelay.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no CerverRelay.sln above {AppContext.BaseDirectory}");
    }

    private static string HostRid()
    {
        var os = OperatingSystem.IsMacOS() ? "osx" : "linux";
        var arch = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "x64";
        return $"{os}-{arch}";
    }
}

/// <summary>A release folder as publish.sh leaves it: the archive and SHA256SUMS (and SHA256SUMS.sig when signed).</summary>
public sealed record Release(string Version, string Folder)
{
    public string Archive => Path.Combine(Folder, ReleaseBuilds.AssetName);

    public string Sums => Path.Combine(Folder, "SHA256SUMS");

    public string Signature => Path.Combine(Folder, "SHA256SUMS.sig");

    public string Tag => "v" + Version;

    /// <summary>The files GitHub would hold for this release.</summary>
    public Dictionary<string, string> Assets => new() { [ReleaseBuilds.AssetName] = Archive, ["SHA256SUMS"] = Sums };
}

[CollectionDefinition(Name)]
public sealed class ReleaseBuildsGroup : ICollectionFixture<ReleaseBuilds>
{
    public const string Name = "release builds";
}
