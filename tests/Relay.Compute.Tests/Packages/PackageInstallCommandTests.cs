using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Compute.Packages;
using Cerver.Relay.Compute.Runtimes;

namespace Cerver.Relay.Compute.Tests.Packages;

public sealed class PackageInstallCommandTests
{
    private static readonly Dictionary<string, RuntimeInfo> ShellAndPython = new()
    {
        ["sh"] = new RuntimeInfo("sh", "/bin/sh", "", ["/bin"]),
        ["python"] = new RuntimeInfo("python", "/usr/bin/python3", "3.12.1", ["/usr"]),
    };

    [Fact]
    public void Pip_installs_into_the_workspace_venv_with_packages_as_separate_arguments()
    {
        var direct = PackageInstallCommand.For(new InstallPackageRequest { Manager = "pip", Packages = ["requests==2.32.0", "rich"] }, "python", ShellAndPython).Direct();
        Assert.Equal("/bin/sh", direct.FileName);
        Assert.Contains(".venv", direct.Arguments[1], StringComparison.Ordinal);
        Assert.Equal(["/usr/bin/python3", "requests==2.32.0", "rich"], direct.Arguments.Skip(2));
    }

    [Fact]
    public void Python_sandboxes_default_to_pip()
    {
        var install = PackageInstallCommand.For(new InstallPackageRequest { Packages = ["rich"] }, "python", ShellAndPython);
        Assert.IsType<PipManager>(install.Manager);
        Assert.Contains("pip install", install.Direct().Arguments[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("npm", "npm is not installed")]
    [InlineData("uv", "uv is not installed")]
    public void A_missing_manager_is_named_in_a_422(string manager, string message)
    {
        var error = Assert.Throws<ComputeException>(() => PackageInstallCommand.For(new InstallPackageRequest { Manager = manager, Packages = ["x"] }, "shell", ShellAndPython));
        Assert.Equal(ComputeErrorKind.Unprocessable, error.Kind);
        Assert.Equal("manager_not_installed", error.Code);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--index-url=http://evil")]
    [InlineData("-e")]
    [InlineData("two words")]
    [InlineData("")]
    public void Refuses_options_and_odd_package_specs(string package)
    {
        var error = Assert.Throws<ComputeException>(() => PackageInstallCommand.For(new InstallPackageRequest { Manager = "pip", Packages = [package] }, "python", ShellAndPython));
        Assert.StartsWith("packages[0]:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shell_sandbox_must_name_its_manager() =>
        Assert.StartsWith("manager:", Assert.Throws<ComputeException>(() => PackageInstallCommand.For(new InstallPackageRequest { Packages = ["x"] }, "shell", ShellAndPython)).Message, StringComparison.Ordinal);

    [Fact]
    public void Only_registry_packages_are_fetched_and_every_package_is_installed_offline_in_the_order_asked()
    {
        var install = PackageInstallCommand.For(new InstallPackageRequest { Manager = "pip", Packages = ["./vendor/pkg", "rich", "dist/x-1.0-py3-none-any.whl"] }, "python", ShellAndPython);
        var staging = new InstallStaging("/r/sandboxes/sbx_a.install-00");

        Assert.Equal(["rich"], install.Fetch(staging)!.Arguments.TakeLast(1));
        Assert.Equal(["./vendor/pkg", "rich", "dist/x-1.0-py3-none-any.whl"], install.Offline(staging).Arguments.TakeLast(3));
    }

    [Fact]
    public void Nothing_is_fetched_when_every_package_is_local()
    {
        var install = PackageInstallCommand.For(new InstallPackageRequest { Manager = "pip", Packages = ["./vendor/pkg", "file:../x"] }, "python", ShellAndPython);
        Assert.Null(install.Fetch(new InstallStaging("/r/sandboxes/sbx_a.install-00")));
    }
}
