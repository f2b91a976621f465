using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Compute.Processes;

namespace Cerver.Relay.Compute.Tests.Processes;

public sealed class SandboxEnvironmentBuilderTests
{
    [Fact]
    public void Builds_from_nothing_with_home_as_the_workspace()
    {
        var environment = new SandboxEnvironmentBuilder("sbx_a", "/w", "/tmp").AddPathEntry("/opt/node/bin").Build();

        Assert.Equal(["CERVER_SANDBOX_ID", "HOME", "LANG", "LC_ALL", "PATH", "TERM", "TMPDIR"], environment.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("/w", environment["HOME"]);
        Assert.StartsWith("/w/.venv/bin:/w/node_modules/.bin:/opt/node/bin:", environment["PATH"], StringComparison.Ordinal);
        Assert.EndsWith(":/usr/bin:/sbin:/bin", environment["PATH"], StringComparison.Ordinal);
    }

    [Fact]
    public void Run_variables_override_sandbox_variables()
    {
        var environment = new SandboxEnvironmentBuilder("sbx_a", "/w", "/tmp")
            .AddVariables(new Dictionary<string, string> { ["A"] = "sandbox", ["B"] = "sandbox" }, "env")
            .AddVariables(new Dictionary<string, string> { ["B"] = "run" }, "env")
            .Build();
        Assert.Equal("sandbox", environment["A"]);
        Assert.Equal("run", environment["B"]);
    }

    [Theory]
    [InlineData("1ABC")]
    [InlineData("A-B")]
    [InlineData("A B")]
    [InlineData("")]
    public void Refuses_invalid_names(string name)
    {
        var error = Assert.Throws<ComputeException>(() => SandboxEnvironmentBuilder.Validate(name, "v", "env"));
        Assert.StartsWith($"env.{name}:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_nul_in_values() =>
        Assert.Throws<ComputeException>(() => SandboxEnvironmentBuilder.Validate("A", "x\0y", "env"));
}
