using Cerver.Relay.Compute.Packages;

namespace Cerver.Relay.Compute.Tests.Packages;

/// <summary>
/// The two phases' command lines. The fetch may read no config the workspace could hold and
/// run no package's scripts; the offline install may not reach an index. uv is not installed
/// on the development machine, so its lines are checked here only.
/// </summary>
public sealed class ManagerCommandTests
{
    private static readonly InstallStaging Staging = new("/r/sandboxes/sbx_a.install-0a1b");

    [Fact]
    public void Npm_fetches_with_scripts_off_and_its_config_files_in_the_staging_folder()
    {
        var fetch = new NpmManager("/usr/bin/npm").Fetch(Staging, ["is-number@7"]);

        Assert.Equal("/usr/bin/npm", fetch.FileName);
        Assert.Contains("--ignore-scripts", fetch.Arguments);
        AssertOption(fetch.Arguments, "--userconfig", Staging.NpmUserConfig);
        AssertOption(fetch.Arguments, "--globalconfig", Staging.NpmGlobalConfig);
        AssertOption(fetch.Arguments, "--cache", Staging.NpmCache);
        AssertOption(fetch.Arguments, "--prefix", Staging.NpmProject);
        Assert.NotEqual(Staging.NpmUserConfig, Staging.NpmGlobalConfig);
        Assert.Equal("is-number@7", fetch.Arguments[^1]);
    }

    [Fact]
    public void Npm_installs_offline_from_the_staging_cache()
    {
        var offline = new NpmManager("/usr/bin/npm").Offline(Staging, ["./vendor/a", "is-number@7"]);

        Assert.Contains("--offline", offline.Arguments);
        AssertOption(offline.Arguments, "--cache", Staging.NpmCache);
        Assert.Equal(["./vendor/a", "is-number@7"], offline.Arguments.TakeLast(2));
    }

    [Fact]
    public void Pip_builds_wheels_in_its_own_venv_with_no_config_and_installs_them_with_no_index()
    {
        var pip = new PipManager("/bin/sh", "/usr/bin/python3");
        var fetch = pip.Fetch(Staging, ["rich"]);
        var offline = pip.Offline(Staging, ["rich"]);

        Assert.Equal(["/usr/bin/python3", Staging.PythonEnvironment, Staging.Wheels, "rich"], fetch.Arguments.Skip(2));
        Assert.Contains("pip wheel --isolated", fetch.Arguments[1], StringComparison.Ordinal);
        Assert.DoesNotContain(".venv", fetch.Arguments[1], StringComparison.Ordinal);
        Assert.Equal("/dev/null", fetch.Environment["PIP_CONFIG_FILE"]);

        Assert.Contains("--no-index --find-links \"$wheels\"", offline.Arguments[1], StringComparison.Ordinal);
        Assert.Equal(["/usr/bin/python3", Staging.Wheels, "rich"], offline.Arguments.Skip(2));
    }

    [Fact]
    public void Uv_fetches_into_the_staging_cache_with_no_config_and_installs_offline_from_it()
    {
        var uv = new UvManager("/bin/sh", "/usr/local/bin/uv");
        var fetch = uv.Fetch(Staging, ["rich"]);
        var offline = uv.Offline(Staging, ["rich"]);

        Assert.Equal(["/usr/local/bin/uv", Staging.PythonEnvironment, Staging.UvCache, "rich"], fetch.Arguments.Skip(2));
        Assert.Equal(2, CountOf(fetch.Arguments[1], "--no-config"));
        Assert.DoesNotContain(".venv", fetch.Arguments[1], StringComparison.Ordinal);

        Assert.Equal(2, CountOf(offline.Arguments[1], "--offline"));
        Assert.Contains("pip install --offline --quiet --cache-dir \"$cache\"", offline.Arguments[1], StringComparison.Ordinal);
        Assert.Equal(["/usr/local/bin/uv", Staging.UvCache, "rich"], offline.Arguments.Skip(2));
    }

    [Theory]
    [InlineData("npm")]
    [InlineData("pip")]
    [InlineData("uv")]
    public void The_fetch_runs_nothing_from_where_the_sandbox_path_looks_first(string manager)
    {
        IPackageManager chosen = manager switch
        {
            "npm" => new NpmManager("/usr/bin/npm"),
            "pip" => new PipManager("/bin/sh", "/usr/bin/python3"),
            _ => new UvManager("/bin/sh", "/usr/local/bin/uv"),
        };
        var fetch = chosen.Fetch(Staging, ["x"]);

        // HOME is the staging folder and a sandbox's PATH starts with $HOME/.venv/bin and
        // $HOME/node_modules/.bin: the fetch must create neither.
        Assert.All(fetch.Arguments, argument =>
        {
            Assert.DoesNotContain(Path.Combine(Staging.Root, ".venv"), argument, StringComparison.Ordinal);
            Assert.DoesNotContain(Path.Combine(Staging.Root, "node_modules"), argument, StringComparison.Ordinal);
        });
        Assert.NotEqual(Staging.Root, Staging.NpmProject);
    }

    private static void AssertOption(IReadOnlyList<string> arguments, string option, string value)
    {
        var index = arguments.ToList().IndexOf(option);
        Assert.True(index >= 0 && index + 1 < arguments.Count, $"{option} is missing");
        Assert.Equal(value, arguments[index + 1]);
    }

    private static int CountOf(string text, string part) => text.Split(part).Length - 1;
}
