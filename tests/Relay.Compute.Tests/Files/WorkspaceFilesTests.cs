using System.Diagnostics;
using System.Text;
using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Compute.Files;
using static Cerver.Relay.Compute.Tests.Files.WorkspaceFixture;

namespace Cerver.Relay.Compute.Tests.Files;

/// <summary>File calls against real folders and the real kernel, with openat2 and with the component-wise fallback.</summary>
public sealed class WorkspaceFilesTests : IDisposable
{
    private readonly WorkspaceFixture _workspace = new();

    public static TheoryData<string> Resolvers => new("kernel", "component");

    [Theory]
    [MemberData(nameof(Resolvers))]
    public async Task A_written_file_is_readable_with_its_mode_and_leaves_no_temporary(string resolver)
    {
        var files = _workspace.Files(resolver);
        var written = await files.WriteAsync(new WriteFileRequest { Path = "./new/deep//tool.sh", Content = "echo ✓", Mode = "0750" }, TestContext.Current.CancellationToken);

        Assert.Equal("new/deep/tool.sh", written.Path);
        Assert.Equal("echo ✓", await File.ReadAllTextAsync(_workspace.In("new/deep/tool.sh"), TestContext.Current.CancellationToken));
        Assert.Equal((UnixFileMode)0b111_101_000, File.GetUnixFileMode(_workspace.In("new/deep/tool.sh")));
        Assert.Equal("echo ✓", (await ReadAsync(files, "new/deep/tool.sh")).Content);
        await WriteAsync(files, "new/deep/tool.sh", "replaced");
        Assert.Equal("replaced", (await ReadAsync(files, "new/deep/tool.sh")).Content);
        Assert.Empty(Directory.GetFiles(_workspace.Root, WorkspaceFiles.TemporaryPrefix + "*", SearchOption.AllDirectories));
    }

    [Theory]
    [MemberData(nameof(Resolvers))]
    public async Task A_replacing_write_swaps_a_planted_link_for_the_file_and_leaves_its_target_alone(string resolver)
    {
        var files = _workspace.Files(resolver);
        var victim = Path.Combine(_workspace.Outside, "victim.txt");
        await File.WriteAllTextAsync(victim, "untouched", TestContext.Current.CancellationToken);
        File.CreateSymbolicLink(_workspace.In("login.json"), victim);
        Directory.CreateDirectory(_workspace.In("real"));
        Directory.CreateSymbolicLink(_workspace.In("out"), _workspace.Outside);

        await files.ReplaceAsync("login.json", Encoding.UTF8.GetBytes("{}"), 0b110_000_000, TestContext.Current.CancellationToken);

        Assert.Equal("untouched", await File.ReadAllTextAsync(victim, TestContext.Current.CancellationToken));
        Assert.Null(File.ResolveLinkTarget(_workspace.In("login.json"), returnFinalTarget: false));
        Assert.Equal("{}", await File.ReadAllTextAsync(_workspace.In("login.json"), TestContext.Current.CancellationToken));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_workspace.In("login.json")));
        var outside = await Assert.ThrowsAsync<ComputeException>(() => files.ReplaceAsync("out/login.json", [1], 0b110_000_000, TestContext.Current.CancellationToken));
        Assert.Equal(ComputeErrorKind.InvalidInput, outside.Kind);
        Assert.False(File.Exists(Path.Combine(_workspace.Outside, "login.json")));
    }

    [Theory]
    [MemberData(nameof(Resolvers))]
    public async Task A_chain_of_links_through_the_root_never_leaves(string resolver)
    {
        var files = _workspace.Files(resolver);
        var secret = Path.Combine(_workspace.Outside, "secret.txt");
        await File.WriteAllTextAsync(secret, "secret", TestContext.Current.CancellationToken);
        Directory.CreateDirectory(_workspace.In("sub"));
        Directory.CreateSymbolicLink(_workspace.In("sub/l"), "/");
        File.CreateSymbolicLink(_workspace.In("a"), "sub/l" + secret);
        Directory.CreateSymbolicLink(_workspace.In("rel"), Path.GetRelativePath(_workspace.Root, _workspace.Outside));

        foreach (var path in new[] { "a", "sub/l" + secret, "rel/secret.txt" })
        {
            Assert.Equal("path_outside_workspace", (await RefusedAsync(() => ReadAsync(files, path))).Code);
            Assert.Equal("path_outside_workspace", (await RefusedAsync(() => WriteAsync(files, path, "planted"))).Code);
        }

        Assert.Equal("path_outside_workspace", (await RefusedAsync(() => WriteAsync(files, "rel/new.txt"))).Code);
        Assert.Equal("secret", await File.ReadAllTextAsync(secret, TestContext.Current.CancellationToken));
        Assert.Equal([secret], _workspace.OutsideEntries());
    }

    [Theory]
    [InlineData("kernel", "/proc/self/environ")]
    [InlineData("kernel", "/proc/self/root/etc/passwd")]
    [InlineData("kernel", "/dev/zero")]
    [InlineData("component", "/proc/self/environ")]
    [InlineData("component", "/dev/zero")]
    public async Task Links_to_magic_and_device_files_are_refused_without_reading_them(string resolver, string target)
    {
        var files = _workspace.Files(resolver);
        File.CreateSymbolicLink(_workspace.In("link"), target);
        File.CreateSymbolicLink(_workspace.In("relative"), string.Concat(Enumerable.Repeat("../", 16)) + target.TrimStart('/'));

        Assert.Equal("path_outside_workspace", (await RefusedAsync(() => ReadAsync(files, "link"))).Code);
        Assert.Equal("path_outside_workspace", (await RefusedAsync(() => ReadAsync(files, "relative"))).Code);
        Assert.Equal("path_outside_workspace", (await RefusedAsync(() => WriteAsync(files, "link"))).Code);
    }

    [Theory]
    [MemberData(nameof(Resolvers))]
    public async Task Link_loops_are_refused(string resolver)
    {
        var files = _workspace.Files(resolver);
        File.CreateSymbolicLink(_workspace.In("self"), "self");
        File.CreateSymbolicLink(_workspace.In("one"), "two");
        File.CreateSymbolicLink(_workspace.In("two"), "one");

        Assert.Equal("path_outside_workspace", (await RefusedAsync(() => ReadAsync(files, "self"))).Code);
        Assert.Equal("path_outside_workspace", (await RefusedAsync(() => ReadAsync(files, "one/x"))).Code);
        Assert.Equal("path_outside_workspace", (await RefusedAsync(() => WriteAsync(files, "two"))).Code);
    }

    [Fact]
    public async Task The_kernel_follows_links_that_stay_inside_and_writes_their_target()
    {
        var files = _workspace.Files("kernel");
        Directory.CreateDirectory(_workspace.In("real"));
        await File.WriteAllTextAsync(_workspace.In("real/f.txt"), "fine", TestContext.Current.CancellationToken);
        Directory.CreateSymbolicLink(_workspace.In("inner"), "real");
        File.CreateSymbolicLink(_workspace.In("real/alias.txt"), "../inner/f.txt");
        File.CreateSymbolicLink(_workspace.In("dangling"), "nothing-here");

        Assert.Equal("fine", (await ReadAsync(files, "inner/alias.txt")).Content);
        await WriteAsync(files, "real/alias.txt", "through the link");
        Assert.Equal("through the link", await File.ReadAllTextAsync(_workspace.In("real/f.txt"), TestContext.Current.CancellationToken));
        Assert.NotNull(new FileInfo(_workspace.In("real/alias.txt")).LinkTarget);
        await WriteAsync(files, "inner/new.txt", "made");
        Assert.True(File.Exists(_workspace.In("real/new.txt")));
        Assert.Equal("path_is_link", (await RefusedAsync(() => WriteAsync(files, "dangling"))).Code);
    }

    [Fact]
    public async Task The_fallback_refuses_every_link_even_inside()
    {
        var files = _workspace.Files("component");
        Directory.CreateDirectory(_workspace.In("real"));
        await File.WriteAllTextAsync(_workspace.In("real/f.txt"), "fine", TestContext.Current.CancellationToken);
        Directory.CreateSymbolicLink(_workspace.In("inner"), "real");

        Assert.Equal("path_outside_workspace", (await RefusedAsync(() => ReadAsync(files, "inner/f.txt"))).Code);
        Assert.Equal("path_outside_workspace", (await RefusedAsync(() => WriteAsync(files, "inner/g.txt"))).Code);
        Assert.Equal("path_outside_workspace", (await RefusedAsync(() => WriteAsync(files, "inner"))).Code);
        Assert.False(File.Exists(_workspace.In("real/g.txt")));
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Resolvers))]
    public async Task A_fifo_or_socket_is_refused_without_blocking(string resolver)
    {
        var files = _workspace.Files(resolver);
        MakeFifo(_workspace.In("fifo"));
        using var socket = BindSocket(_workspace.In("sock"));
        File.CreateSymbolicLink(_workspace.In("to-fifo"), "fifo");

        // Run off the test thread so a blocking open would fail the timeout, not hang the run.
        foreach (var path in new[] { "fifo", "sock" })
        {
            Assert.Equal("not_a_regular_file", (await RefusedAsync(() => Task.Run(() => ReadAsync(files, path)))).Code);
            Assert.Equal("not_a_regular_file", (await RefusedAsync(() => Task.Run(() => WriteAsync(files, path)))).Code);
        }

        var throughLink = await RefusedAsync(() => Task.Run(() => ReadAsync(files, "to-fifo")));
        Assert.Equal(resolver == "kernel" ? "not_a_regular_file" : "path_outside_workspace", throughLink.Code);
    }

    [Theory]
    [MemberData(nameof(Resolvers))]
    public async Task Files_and_folders_in_the_wrong_place_are_conflicts(string resolver)
    {
        var files = _workspace.Files(resolver);
        Directory.CreateDirectory(_workspace.In("dir"));
        await File.WriteAllTextAsync(_workspace.In("file.txt"), "x", TestContext.Current.CancellationToken);

        Assert.Equal("path_is_directory", (await RefusedAsync(() => WriteAsync(files, "dir"))).Code);
        Assert.Equal("path_is_directory", (await RefusedAsync(() => WriteAsync(files, "."))).Code);
        Assert.Equal("path_is_directory", (await RefusedAsync(() => ReadAsync(files, "dir"))).Code);
        Assert.Equal("path_is_file", (await RefusedAsync(() => WriteAsync(files, "file.txt/inner.txt"))).Code);
        Assert.Equal("path_is_file", (await RefusedAsync(() => ReadAsync(files, "file.txt/inner.txt"))).Code);
        Assert.Equal("file_not_found", (await RefusedAsync(() => ReadAsync(files, "missing/x"))).Code);
        Assert.Equal("path_too_long", (await RefusedAsync(() => WriteAsync(files, new string('n', 300)))).Code);
        Assert.Empty(Directory.GetFiles(_workspace.Root, WorkspaceFiles.TemporaryPrefix + "*", SearchOption.AllDirectories));
    }

    [Theory]
    [MemberData(nameof(Resolvers))]
    public async Task Long_and_deep_paths_are_refused_before_any_folder_is_made(string resolver)
    {
        var files = _workspace.Files(resolver);
        var deep = string.Concat(Enumerable.Repeat("d/", 1_200)) + "f";

        Assert.Equal("path_too_long", (await RefusedAsync(() => WriteAsync(files, new string('a', 10 * 1024 * 1024)))).Code);
        Assert.Equal("path_too_long", (await RefusedAsync(() => ReadAsync(files, string.Concat(Enumerable.Repeat("./", 20_000)) + "f"))).Code);
        Assert.Equal("path_too_deep", (await RefusedAsync(() => WriteAsync(files, deep))).Code);
        Assert.Equal("path_too_deep", (await RefusedAsync(() => ReadAsync(files, deep))).Code);
        Assert.Empty(Directory.GetFileSystemEntries(_workspace.Root));
    }

    [Theory]
    [MemberData(nameof(Resolvers))]
    public async Task A_file_over_the_cap_is_refused_by_its_size(string resolver)
    {
        var files = _workspace.Files(resolver);
        await File.WriteAllBytesAsync(_workspace.In("big.bin"), new byte[Cap + 1], TestContext.Current.CancellationToken);
        using (var sparse = File.OpenHandle(_workspace.In("sparse.bin"), FileMode.CreateNew, FileAccess.Write))
        {
            RandomAccess.SetLength(sparse, 10L * 1024 * 1024 * 1024);
        }

        await File.WriteAllBytesAsync(_workspace.In("exact.bin"), new byte[Cap], TestContext.Current.CancellationToken);

        Assert.Equal("file_too_large", (await RefusedAsync(() => ReadAsync(files, "big.bin"))).Code);
        Assert.Equal("file_too_large", (await RefusedAsync(() => ReadAsync(files, "sparse.bin"))).Code);
        var exact = await files.ReadAsync("exact.bin", FileEncoding.Base64, TestContext.Current.CancellationToken);
        Assert.Equal(Cap, exact.Size);
    }

    [Fact]
    public async Task A_write_that_fails_midway_removes_its_temporary()
    {
        var files = _workspace.Files("kernel");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            files.WriteAsync(new WriteFileRequest { Path = "sub/f.txt", Content = "x" }, cancelled.Token));
        Assert.True(Directory.Exists(_workspace.In("sub")));
        Assert.Empty(Directory.GetFileSystemEntries(_workspace.In("sub")));
    }

    [Theory]
    [InlineData("kernel", "/")]
    [InlineData("kernel", "relative")]
    [InlineData("component", "/")]
    [InlineData("component", "relative")]
    public async Task A_folder_swapped_for_a_link_while_writes_run_never_lets_one_out(string resolver, string linkKind)
    {
        var files = _workspace.Files(resolver);
        var target = linkKind == "/" ? _workspace.Outside : Path.GetRelativePath(_workspace.Root, _workspace.Outside);
        Directory.CreateDirectory(_workspace.In("d/e"));
        using var stop = new CancellationTokenSource();
        var swaps = 0;
        var swapper = Task.Run(() =>
        {
            // Writers recreate "d" whenever it is briefly missing, so a step may find it taken.
            while (!stop.IsCancellationRequested)
            {
                Swap(() => Directory.Move(_workspace.In("d"), _workspace.In("d.real")));
                Swap(() => Directory.CreateSymbolicLink(_workspace.In("d"), target));
                Swap(() => File.Delete(_workspace.In("d")));
                if (Swap(() => Directory.Move(_workspace.In("d.real"), _workspace.In("d"))))
                {
                    swaps++;
                }
                else
                {
                    Swap(() => Directory.Delete(_workspace.In("d.real"), recursive: true));
                }
            }
        }, TestContext.Current.CancellationToken);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(writer => Task.Run(async () =>
        {
            var codes = new List<string>();
            for (var i = 0; i < 150; i++)
            {
                try
                {
                    await WriteAsync(files, i % 2 == 0 ? $"d/w{writer}-{i}.txt" : $"d/e/w{writer}-{i}.txt");
                    codes.Add("ok");
                }
                catch (ComputeException refused)
                {
                    codes.Add(refused.Code);
                }
            }

            return codes;
        }, TestContext.Current.CancellationToken)));
        await stop.CancelAsync();
        await swapper;

        Assert.True(swaps > 0);
        Assert.Empty(_workspace.OutsideEntries());
        Assert.All(outcomes.SelectMany(codes => codes), code =>
            Assert.Contains(code, new[] { "ok", "path_outside_workspace", "path_is_file", "file_not_found" }));
    }

    [Fact]
    public async Task Leftover_temporaries_are_deleted_at_start_without_following_links()
    {
        Directory.CreateDirectory(_workspace.In("sub/deeper"));
        var leftovers = new[] { _workspace.In(".cerver-write-0a"), _workspace.In("sub/deeper/.cerver-write-1b") };
        foreach (var leftover in leftovers)
        {
            await File.WriteAllTextAsync(leftover, "half", TestContext.Current.CancellationToken);
        }

        var kept = Path.Combine(_workspace.Outside, ".cerver-write-keep");
        await File.WriteAllTextAsync(kept, "not ours", TestContext.Current.CancellationToken);
        Directory.CreateSymbolicLink(_workspace.In("out"), _workspace.Outside);
        File.CreateSymbolicLink(_workspace.In(".cerver-write-link"), kept);
        Directory.CreateDirectory(_workspace.In(".cerver-write-folder"));

        Assert.Equal(2, WorkspaceTemporaries.DeleteLeftovers(_workspace.Root));
        Assert.All(leftovers, leftover => Assert.False(File.Exists(leftover)));
        Assert.True(File.Exists(kept));
        Assert.True(Directory.Exists(_workspace.In(".cerver-write-folder")));
        Assert.Equal(0, WorkspaceTemporaries.DeleteLeftovers(_workspace.Root));
    }

    [Fact]
    public void Deleting_a_workspace_unlinks_its_links_instead_of_descending()
    {
        var secret = Path.Combine(_workspace.Outside, "keep.txt");
        File.WriteAllText(secret, "keep");
        Directory.CreateDirectory(_workspace.In("sub"));
        Directory.CreateSymbolicLink(_workspace.In("sub/out"), _workspace.Outside);
        File.CreateSymbolicLink(_workspace.In("file-link"), secret);

        Directory.Delete(_workspace.Root, recursive: true);

        Assert.False(Directory.Exists(_workspace.Root));
        Assert.Equal("keep", File.ReadAllText(secret));
        Directory.CreateDirectory(_workspace.Root);
    }

    [Fact]
    public async Task Created_files_and_folders_belong_to_the_sandbox_user_when_the_daemon_is_root()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, "only root may give files away");
        var files = new WorkspaceFiles(_workspace.Root, Cap, new Compute.Isolation.SandboxUser(61_234, 61_235));

        await WriteAsync(files, "made/by/root.txt");

        Assert.Equal("61234:61235", Owner(_workspace.In("made/by/root.txt")));
        Assert.Equal("61234:61235", Owner(_workspace.In("made/by")));
        Assert.Equal("61234:61235", Owner(_workspace.In("made")));
    }

    private static bool Swap(Action step)
    {
        try
        {
            step();
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string Owner(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("stat", ["-c", "%u:%g", path]) { RedirectStandardOutput = true })!;
        var owner = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return owner;
    }

    public void Dispose() => _workspace.Dispose();
}
