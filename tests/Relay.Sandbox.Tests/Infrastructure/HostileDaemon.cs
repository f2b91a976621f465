using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Sandbox.Tests.Infrastructure;

/// <summary>
/// The real daemon under attack: default isolation (bubblewrap here), an account key set, and a
/// sentinel folder outside every workspace whose content each attempt checks is untouched.
/// </summary>
public sealed class HostileDaemon : IAsyncLifetime
{
    public const string AccountKey = "ck_adversarial_account_key_never_in_a_sandbox_42";

    private readonly TempDirectory _sentinel = new("cerver-sentinel");
    private string _sentinelFingerprint = "";

    public RelayDaemon Daemon { get; private set; } = null!;

    /// <summary>A folder outside every workspace that no attempt may read or change.</summary>
    public string Sentinel => _sentinel.Path;

    public const string SentinelSecret = "sentinel-secret-5e1f";

    // Small bounds, so exhaustion attempts end quickly.
    public const int Processes = 128;
    public const int FileMegabytes = 16;
    public const int TmpMegabytes = 32;
    public const int DiskMegabytes = 48;

    public async ValueTask InitializeAsync()
    {
        File.WriteAllText(Path.Combine(Sentinel, "secret.txt"), SentinelSecret);
        Directory.CreateDirectory(Path.Combine(Sentinel, "folder"));
        _sentinelFingerprint = Fingerprint();
        Daemon = await RelayDaemon.StartAsync("auto", apiKey: AccountKey, environment: new Dictionary<string, string?>
        {
            ["CERVER_MAX_SANDBOXES"] = "1024",
            ["CERVER_SANDBOX_PROCESSES"] = Processes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CERVER_SANDBOX_MEMORY_MB"] = "512",
            ["CERVER_SANDBOX_FILE_MB"] = FileMegabytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CERVER_SANDBOX_TMP_MB"] = TmpMegabytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CERVER_SANDBOX_DISK_MB"] = DiskMegabytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Daemon.DisposeAsync();
        _sentinel.Dispose();
    }

    public async Task<string> CreateAsync(bool network = false, string runtime = "shell") =>
        await Daemon.CreateSandboxAsync(new { network, runtime });

    /// <summary>Runs the attempt and returns stdout and stderr together, for "did it get out" checks.</summary>
    public async Task<RunOutput> RunAsync(string sandboxId, string code, double timeout = 60)
    {
        var result = await Daemon.RunAsync(sandboxId, new { code, timeout });
        return new RunOutput(result["exit_code"]!.GetValue<int>(), result["stdout"]!.GetValue<string>(), result["stderr"]!.GetValue<string>(), result);
    }

    /// <summary>One attempt in a fresh sandbox, deleted afterwards.</summary>
    public async Task<RunOutput> AttemptAsync(string code, bool network = false)
    {
        var id = await CreateAsync(network);
        try
        {
            return await RunAsync(id, code);
        }
        finally
        {
            using var deleted = await Daemon.Client.DeleteAsync($"/sandbox/{id}");
        }
    }

    /// <summary>The sentinel exactly as it was: same names, same bytes, no file added.</summary>
    public void AssertOutsideUntouched()
    {
        Assert.Equal(_sentinelFingerprint, Fingerprint());
    }

    public async Task<HttpResponseMessage> PutFileAsync(string sandboxId, object body) =>
        await Daemon.Client.PutAsJsonAsync($"/sandbox/{sandboxId}/files", body);

    public async Task<HttpResponseMessage> GetFileAsync(string sandboxId, string path, string encoding = "utf8") =>
        await Daemon.Client.GetAsync($"/sandbox/{sandboxId}/files?path={Uri.EscapeDataString(path)}&encoding={encoding}");

    private string Fingerprint()
    {
        var builder = new StringBuilder();
        foreach (var entry in Directory.EnumerateFileSystemEntries(Sentinel, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            builder.Append(entry).Append('|');
            if (File.Exists(entry))
            {
                builder.Append(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(entry))));
            }

            builder.Append('\n');
        }

        return builder.ToString();
    }
}

public sealed record RunOutput(int ExitCode, string Stdout, string Stderr, JsonObject Raw)
{
    public string All => Stdout + "\n" + Stderr;
}

[CollectionDefinition(Name)]
public sealed class HostileGroup : ICollectionFixture<HostileDaemon>
{
    public const string Name = "hostile daemon";
}
