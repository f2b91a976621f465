using System.Diagnostics;

namespace Cerver.Relay.TestKit.AgentClis;

/// <summary>
/// Installs a pinned CLI from npm into a cache folder on first use, so the README's one test
/// command sets everything up on a fresh machine. The cache sits under the user's home, which
/// every sandbox hides: the relay must find and re-expose it, as on a real laptop.
/// Test processes may race for the same package: one installs under a lock, the others wait.
/// </summary>
public static class NpmCliCache
{
    private static readonly SemaphoreSlim InProcess = new(1, 1);

    /// <summary><c>CERVER_TEST_CLI_CACHE</c>, or <c>~/.cache/cerver-relay-tests/npm</c>.</summary>
    public static string Root => Environment.GetEnvironmentVariable("CERVER_TEST_CLI_CACHE") is { Length: > 0 } root
        ? root
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "cerver-relay-tests", "npm");

    /// <summary>The folder the package is installed in (<c>…/node_modules/.bin</c> holds its commands).</summary>
    public static async Task<string> InstallAsync(string package, string version, CancellationToken cancellationToken = default)
    {
        var folder = Path.Combine(Root, $"{package.Replace('/', '+')}@{version}");
        if (File.Exists(Path.Combine(folder, ".installed")))
        {
            return folder;
        }

        await InProcess.WaitAsync(cancellationToken);
        try
        {
            Directory.CreateDirectory(Root);
            using var lockFile = await LockAsync(Path.Combine(Root, ".lock"), cancellationToken);
            if (File.Exists(Path.Combine(folder, ".installed")))
            {
                return folder;
            }

            var staging = folder + ".staging";
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            Directory.CreateDirectory(staging);
            await RunNpmAsync(staging, $"{package}@{version}", cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(staging, ".installed"), $"{package}@{version}\n", cancellationToken);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            Directory.Move(staging, folder);
            return folder;
        }
        finally
        {
            InProcess.Release();
        }
    }

    /// <summary>The path of a command the package installed (<c>node_modules/.bin/&lt;name&gt;</c>).</summary>
    public static string BinOf(string installFolder, string command) => Path.Combine(installFolder, "node_modules", ".bin", command);

    private static async Task RunNpmAsync(string prefix, string spec, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("npm")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "install", "--prefix", prefix, "--no-audit", "--no-fund", "--loglevel=error", "--ignore-scripts=false", spec })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("npm did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"npm install {spec} did not finish within 5 minutes");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm install {spec} failed ({process.ExitCode}): {await stderr}{await stdout}");
        }
    }

    private static async Task<FileStream> LockAsync(string path, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(6);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, cancellationToken);
            }
        }
    }
}
