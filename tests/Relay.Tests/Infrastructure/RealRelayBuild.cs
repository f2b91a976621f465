using System.Diagnostics;

namespace Cerver.Relay.Tests.Infrastructure;

/// <summary>
/// A real <c>cerver-relay</c> of another version, built once per test run with this run's
/// signing key (<c>-p:Version=2.0.0 -p:CerverUpdatePublicKey=…</c>). It is built framework-dependent
/// rather than published self-contained: the apphost runs on the installed .NET runtime, so the
/// archive holds the real executable and its assemblies at a fraction of the time and size, while
/// the version check, the key and the daemon are exactly those of a release. Artifacts go to a
/// folder of their own (UseArtifactsOutput) so the solution's obj/ and bin/ are left alone.
/// </summary>
public static class RealRelayBuild
{
    public const string Version = "2.0.0";

    private static readonly Lazy<Task<(string Directory, byte[] Archive)>> Build = new(BuildAsync);

    public static Task<(string Directory, byte[] Archive)> GetAsync() => Build.Value;

    private static async Task<(string, byte[])> BuildAsync()
    {
        var root = RepositoryRoot();
        var artifacts = Path.Combine(Path.GetTempPath(), $"cerver-relay-build-{Environment.ProcessId}");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        foreach (var argument in new[]
        {
            "build", Path.Combine(root, "src", "Relay", "Relay.csproj"), "-c", "Debug", "-nologo", "-v", "q",
            $"-p:Version={Version}", $"-p:CerverUpdatePublicKey={ReleaseKit.TrustedPublicKey}",
            "-p:UseArtifactsOutput=true", $"-p:ArtifactsPath={artifacts}",
        })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"building the test relay failed:\n{await output}\n{await errors}");
        var directory = Path.Combine(artifacts, "bin", "Relay", "debug");
        return (directory, ReleaseKit.DirectoryArchive(directory));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CerverRelay.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("CerverRelay.sln not found above the test output.");
    }
}
