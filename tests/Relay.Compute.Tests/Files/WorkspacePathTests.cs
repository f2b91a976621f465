using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Compute.Files;

namespace Cerver.Relay.Compute.Tests.Files;

public sealed class WorkspacePathTests : IDisposable
{
    private readonly WorkspaceFixture _workspace = new();

    [Theory]
    [InlineData("a.txt", "a.txt")]
    [InlineData("./a/b.txt", "a/b.txt")]
    [InlineData("a//b/./c", "a/b/c")]
    [InlineData("./", "")]
    public void Normalizes_relative_paths(string input, string expected) =>
        Assert.Equal(expected, WorkspacePath.Parse(input).Normalized);

    [Theory]
    [InlineData("..")]
    [InlineData("../x")]
    [InlineData("a/../../x")]
    [InlineData("a/..")]
    [InlineData("/etc/passwd")]
    [InlineData("~/x")]
    [InlineData("a\\..\\x")]
    [InlineData("a\0b")]
    public void Refuses_paths_that_could_leave(string input) =>
        Assert.Equal("path_outside_workspace", Assert.Throws<ComputeException>(() => WorkspacePath.Parse(input)).Code);

    [Fact]
    public void Refuses_a_missing_path() =>
        Assert.Equal("invalid_request", Assert.Throws<ComputeException>(() => WorkspacePath.Parse("")).Code);

    [Fact]
    public void Bounds_length_and_depth_before_splitting()
    {
        Assert.Equal("path_too_long", Assert.Throws<ComputeException>(() => WorkspacePath.Parse(new string('a', 10 * 1024 * 1024))).Code);
        Assert.Equal("path_too_long", Assert.Throws<ComputeException>(() => WorkspacePath.Parse(string.Concat(Enumerable.Repeat("./", 20_000)))).Code);
        Assert.Equal("path_too_long", Assert.Throws<ComputeException>(() => WorkspacePath.Parse(new string('é', 2049))).Code);
        Assert.Equal("path_too_deep", Assert.Throws<ComputeException>(() => WorkspacePath.Parse(string.Concat(Enumerable.Repeat("a/", 1_200)))).Code);
        Assert.Equal("path_too_deep", Assert.Throws<ComputeException>(() => WorkspacePath.Parse(string.Concat(Enumerable.Repeat("./", 65)))).Code);
        Assert.Equal(WorkspacePath.MaxDepth, WorkspacePath.Parse(string.Join('/', Enumerable.Repeat("a", WorkspacePath.MaxDepth))).Segments.Count);
    }

    [Fact]
    public void A_cwd_is_a_folder_beneath_the_workspace()
    {
        Directory.CreateDirectory(_workspace.In("sub/deeper"));
        File.WriteAllText(_workspace.In("file.txt"), "x");
        Directory.CreateSymbolicLink(_workspace.In("out"), _workspace.Outside);
        Directory.CreateSymbolicLink(_workspace.In("up"), "../..");

        Assert.Equal(_workspace.In("sub/deeper"), WorkspacePath.ResolveDirectory(_workspace.Root, "./sub//deeper", "cwd"));
        Assert.Equal("path_outside_workspace", Assert.Throws<ComputeException>(() => WorkspacePath.ResolveDirectory(_workspace.Root, "out", "cwd")).Code);
        Assert.Equal("path_outside_workspace", Assert.Throws<ComputeException>(() => WorkspacePath.ResolveDirectory(_workspace.Root, "up/tmp", "cwd")).Code);
        var file = Assert.Throws<ComputeException>(() => WorkspacePath.ResolveDirectory(_workspace.Root, "file.txt", "cwd"));
        Assert.StartsWith("cwd:", file.Message, StringComparison.Ordinal);
        Assert.Equal("invalid_request", Assert.Throws<ComputeException>(() => WorkspacePath.ResolveDirectory(_workspace.Root, "missing", "cwd")).Code);
    }

    public void Dispose() => _workspace.Dispose();
}
