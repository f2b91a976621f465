using System.Diagnostics;
using System.Net.Sockets;
using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Compute.Files;

namespace Cerver.Relay.Compute.Tests.Files;

/// <summary>A real workspace folder and a sentinel folder outside it, for one test.</summary>
public sealed class WorkspaceFixture : IDisposable
{
    public const long Cap = 1024 * 1024;

    public string Root { get; } = Directory.CreateTempSubdirectory("ws-").FullName;

    public string Outside { get; } = Directory.CreateTempSubdirectory("outside-").FullName;

    /// <summary>The same suite runs with openat2 and with the component-wise fallback.</summary>
    internal static BeneathResolver Resolver(string name) => name == "kernel" ? BeneathResolver.Kernel : BeneathResolver.ComponentWise;

    internal WorkspaceFiles Files(string resolver) => new(Root, Cap, null, Resolver(resolver));

    public string In(string relative) => Path.Combine(Root, relative);

    public static async Task<ComputeException> RefusedAsync(Func<Task> call) => await Assert.ThrowsAsync<ComputeException>(call);

    public static Task<ReadFileResult> ReadAsync(WorkspaceFiles files, string path) =>
        files.ReadAsync(path, FileEncoding.Utf8, TestContext.Current.CancellationToken);

    public static Task<WriteFileResult> WriteAsync(WorkspaceFiles files, string path, string content = "x") =>
        files.WriteAsync(new WriteFileRequest { Path = path, Content = content }, TestContext.Current.CancellationToken);

    public static void MakeFifo(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("mkfifo", [path]))!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    public static Socket BindSocket(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        return socket;
    }

    /// <summary>Everything under the sentinel folder, which no file call may ever change.</summary>
    public string[] OutsideEntries() => Directory.GetFileSystemEntries(Outside, "*", SearchOption.AllDirectories);

    public void Dispose()
    {
        Directory.Delete(Root, recursive: true);
        Directory.Delete(Outside, recursive: true);
    }
}
