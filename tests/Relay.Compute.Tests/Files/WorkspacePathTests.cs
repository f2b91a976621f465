using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Compute.Files;

namespace Cerver.Relay.Compute.Tests.Files;

public sealed class WorkspacePathTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ws-").FullName;
    private readonly string _outside = Directory.CreateTempSubdirectory("outside-").FullName;

    [Theory]
    [InlineData("a.txt", "a.txt")]
    [InlineData("./a/b.txt", "a/b.txt")]
    [InlineData("a//b/./c", "a/b/c")]
    public void Resolves_relative_paths_inside_the_workspace(string input, string expected) =>
        Assert.Equal(Path.Combine(_root, expected), WorkspacePath.Resolve(_root, input));

    [Theory]
    [InlineData("..")]
    [InlineData("../x")]
    [InlineData("a/../../x")]
    [InlineData("a/..")]
    [InlineData("/etc/passwd")]
    [InlineData("~/x")]
    [InlineData("a\\..\\x")]
    [InlineData("a\0b")]
    public void Refuses_paths_that_could_leave(string input)
    {
        var error = Assert.Throws<ComputeException>(() => WorkspacePath.Resolve(_root, input));
        Assert.Equal(ComputeErrorKind.InvalidInput, error.Kind);
    }

    [Fact]
    public void Refuses_a_missing_path() =>
        Assert.Equal("invalid_request", Assert.Throws<ComputeException>(() => WorkspacePath.Resolve(_root, "")).Code);

    [Fact]
    public void Follows_links_that_stay_inside_and_refuses_links_that_leave()
    {
        Directory.CreateDirectory(Path.Combine(_root, "real"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "inner"), Path.Combine(_root, "real"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "outer"), _outside);
        Directory.CreateSymbolicLink(Path.Combine(_root, "real", "up"), _outside);

        Assert.Equal(Path.Combine(_root, "real", "f.txt"), WorkspacePath.Resolve(_root, "inner/f.txt"));
        Assert.Equal("path_outside_workspace", Assert.Throws<ComputeException>(() => WorkspacePath.Resolve(_root, "outer/f.txt")).Code);
        Assert.Equal("path_outside_workspace", Assert.Throws<ComputeException>(() => WorkspacePath.Resolve(_root, "inner/up/x")).Code);
    }

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_outside, recursive: true);
    }
}
