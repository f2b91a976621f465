using System.Formats.Tar;
using Cerver.Relay.Tests.Infrastructure;
using Cerver.Relay.Update;

namespace Cerver.Relay.Tests.Update;

public sealed class ArchiveExtractorTests
{
    [Fact]
    public void Files_and_folders_are_unpacked_with_their_modes()
    {
        using var work = new TempDirectory();
        var archive = Write(work.Path, ReleaseKit.Archive(writer =>
        {
            ReleaseKit.AddFile(writer, "cerver-relay", "#!/bin/sh\n"u8.ToArray());
            ReleaseKit.AddFile(writer, "./runtimes/linux-x64/native/lib.so", [1, 2, 3]);
        }));
        var target = Path.Combine(work.Path, "out");

        ArchiveExtractor.Extract(archive, target);

        Assert.True(File.GetUnixFileMode(Path.Combine(target, "cerver-relay")).HasFlag(UnixFileMode.UserExecute));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(target, "runtimes", "linux-x64", "native", "lib.so")));
    }

    [Theory]
    [InlineData("../escaped")]
    [InlineData("sub/../../escaped")]
    [InlineData("/tmp/escaped-absolute")]
    public void Entries_that_leave_the_folder_are_refused(string name)
    {
        using var work = new TempDirectory();
        var archive = Write(work.Path, ReleaseKit.Archive(writer => ReleaseKit.AddFile(writer, name, "x"u8.ToArray())));
        var target = Path.Combine(work.Path, "out");

        var error = Assert.Throws<UpdateException>(() => ArchiveExtractor.Extract(archive, target));

        Assert.Contains("outside its folder", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(work.Path, "escaped")));
        Assert.False(File.Exists("/tmp/escaped-absolute"));
    }

    [Fact]
    public void Links_are_refused()
    {
        using var work = new TempDirectory();
        var archive = Write(work.Path, ReleaseKit.Archive(writer => writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "cerver-relay") { LinkName = "/etc/passwd" })));

        var error = Assert.Throws<UpdateException>(() => ArchiveExtractor.Extract(archive, Path.Combine(work.Path, "out")));

        Assert.Contains("only files and folders", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(work.Path, "out", "cerver-relay")));
    }

    [Fact]
    public void A_damaged_archive_is_named()
    {
        using var work = new TempDirectory();
        var archive = Write(work.Path, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]);

        var error = Assert.Throws<UpdateException>(() => ArchiveExtractor.Extract(archive, Path.Combine(work.Path, "out")));

        Assert.Contains("damaged", error.Message, StringComparison.Ordinal);
    }

    private static string Write(string directory, byte[] bytes)
    {
        var path = Path.Combine(directory, "release.tar.gz");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
