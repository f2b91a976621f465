using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Cerver.Relay.Update;

namespace Cerver.Relay.Tests.Infrastructure;

/// <summary>Release files made the way publish.sh makes them: tar.gz archives, SHA256SUMS, and its DER ECDSA P-256 signature.</summary>
public static class ReleaseKit
{
    /// <summary>The key this test run signs releases with, and the one the real test binary trusts.</summary>
    public static ECDsa TrustedKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>A valid key that is not the trusted one.</summary>
    public static ECDsa OtherKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public static string TrustedPublicKey { get; } = Convert.ToBase64String(TrustedKey.ExportSubjectPublicKeyInfo());

    public static UpdateTrust Trust { get; } = UpdateTrust.FromPublicKey(TrustedPublicKey);

    public static string ArchiveName => ReleaseAssets.ArchiveFor(ReleaseAssets.CurrentRid()!);

    /// <summary>The archive, SHA256SUMS (which also lists another platform) and its signature by <paramref name="signer"/>.</summary>
    public static Dictionary<string, byte[]> Assets(byte[] archive, ECDsa? signer = null)
    {
        var sums = Encoding.UTF8.GetBytes(
            $"{Convert.ToHexStringLower(SHA256.HashData(archive))}  {ArchiveName}\n" +
            $"{Convert.ToHexStringLower(SHA256.HashData("other"u8))}  cerver-relay-linux-riscv64.tar.gz\n");
        return new Dictionary<string, byte[]>
        {
            [ArchiveName] = archive,
            [ReleaseAssets.Sums] = sums,
            [ReleaseAssets.Signature] = (signer ?? TrustedKey).SignData(sums, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence),
        };
    }

    /// <summary>
    /// A stand-in <c>cerver-relay</c>: a shell script that answers <c>version</c> with
    /// <paramref name="printedVersion"/> and exits <paramref name="runExitCode"/> on <c>run</c>
    /// (a version that passes the smoke test but never comes up).
    /// </summary>
    public static string Script(string printedVersion, int versionExitCode = 0, int runExitCode = 1) =>
        $"#!/bin/sh\ncase \"$1\" in\n  version) echo {printedVersion}; exit {versionExitCode};;\n  run) echo 'cannot start: broken build' >&2; exit {runExitCode};;\nesac\nexit 2\n";

    public static byte[] ScriptArchive(string printedVersion, int versionExitCode = 0, int runExitCode = 1) =>
        Archive(writer => AddFile(writer, "cerver-relay", Encoding.UTF8.GetBytes(Script(printedVersion, versionExitCode, runExitCode))));

    /// <summary>Every file of <paramref name="directory"/> at the archive's root, modes kept.</summary>
    public static byte[] DirectoryArchive(string directory) =>
        Archive(writer =>
        {
            foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, Path.GetRelativePath(directory, file).Replace('\\', '/'))
                {
                    Mode = File.GetUnixFileMode(file),
                    DataStream = File.OpenRead(file),
                };
                writer.WriteEntry(entry);
                entry.DataStream.Dispose();
            }
        });

    public static byte[] Archive(Action<TarWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var writer = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            write(writer);
        }

        return buffer.ToArray();
    }

    public static void AddFile(TarWriter writer, string name, byte[] content)
    {
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            Mode = (UnixFileMode)0b111_101_101,
            DataStream = new MemoryStream(content),
        });
    }

    /// <summary>Lays out CERVER_HOME as the installer leaves it: <c>versions/&lt;v&gt;/cerver-relay</c> and the <c>bin</c> link.</summary>
    public static void InstallScript(string cerverHome, string version)
    {
        var directory = Path.Combine(cerverHome, "versions", version);
        Directory.CreateDirectory(directory);
        var binary = Path.Combine(directory, "cerver-relay");
        File.WriteAllText(binary, Script(version, runExitCode: 0));
        File.SetUnixFileMode(binary, (UnixFileMode)0b111_101_101);
        Link(cerverHome, version);
    }

    public static void Link(string cerverHome, string version)
    {
        Directory.CreateDirectory(Path.Combine(cerverHome, "bin"));
        var link = Path.Combine(cerverHome, "bin", "cerver-relay");
        File.Delete(link);
        File.CreateSymbolicLink(link, Path.Combine(cerverHome, "versions", version, "cerver-relay"));
    }

    public static string LinkedVersion(string cerverHome) =>
        Path.GetFileName(Path.GetDirectoryName(new FileInfo(Path.Combine(cerverHome, "bin", "cerver-relay")).LinkTarget))!;

    public static string[] InstalledVersions(string cerverHome) =>
        [.. Directory.GetDirectories(Path.Combine(cerverHome, "versions")).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    public static async Task<string> RunAsync(string executable, params string[] arguments) =>
        (await RunAsync(executable, arguments, new Dictionary<string, string>())).Stdout.Trim();

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string executable, IEnumerable<string> arguments, IDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Installs a copy of a real build as <c>versions/&lt;folder&gt;</c> and links it.</summary>
    public static void InstallDirectory(string cerverHome, string folder, string buildDirectory)
    {
        var target = Path.Combine(cerverHome, "versions", folder);
        foreach (var file in Directory.EnumerateFiles(buildDirectory, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(buildDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        Link(cerverHome, folder);
    }
}
