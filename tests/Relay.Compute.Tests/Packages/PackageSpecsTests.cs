using Cerver.Relay.Compute.Packages;

namespace Cerver.Relay.Compute.Tests.Packages;

public sealed class PackageSpecsTests
{
    [Theory]
    [InlineData("./vendor/pkg", true)]
    [InlineData("../pkg", true)]
    [InlineData("/abs/pkg", true)]
    [InlineData("~/pkg", true)]
    [InlineData("file:vendor/pkg", true)]
    [InlineData("pkg-1.0.0.tgz", true)]
    [InlineData("alias@file:vendor/pkg", true)]
    [InlineData("alias@./vendor/pkg", true)]
    [InlineData("is-number", false)]
    [InlineData("is-number@7.0.0", false)]
    [InlineData("@scope/name@^1.2.0", false)]
    [InlineData("user/repo", false)]
    [InlineData("https://example.com/pkg-1.0.0.tgz", false)]
    [InlineData("git+ssh://git@example.com/x.git", false)]
    public void Npm_tells_local_packages_from_registry_and_remote_ones(string spec, bool local) =>
        Assert.Equal(local, PackageSpecs.IsLocalForNpm(spec));

    [Theory]
    [InlineData("./vendor/pkg", true)]
    [InlineData("vendor/pkg", true)]
    [InlineData("/abs/pkg", true)]
    [InlineData("file:vendor/pkg", true)]
    [InlineData("x-1.0-py3-none-any.whl", true)]
    [InlineData("x-1.0.tar.gz", true)]
    [InlineData("requests==2.32.0", false)]
    [InlineData("rich[jupyter]>=13", false)]
    [InlineData("git+https://example.com/x.git", false)]
    [InlineData("https://example.com/x-1.0-py3-none-any.whl", false)]
    public void Python_tells_local_packages_from_registry_and_remote_ones(string spec, bool local) =>
        Assert.Equal(local, PackageSpecs.IsLocalForPython(spec));
}
