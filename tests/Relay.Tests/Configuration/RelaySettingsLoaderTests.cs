using Cerver.Relay.Configuration;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Configuration;

public sealed class RelaySettingsLoaderTests
{
    [Fact]
    public void Flags_beat_environment_which_beats_cerver_env_which_beats_config_json()
    {
        using var home = new TempDirectory("cerver-home");
        Directory.CreateDirectory(Path.Combine(home.Path, "relay"));
        File.WriteAllText(Path.Combine(home.Path, "relay", "config.json"),
            """{"CERVER_RELAY_PORT": 9001, "CERVER_RELAY_LISTEN": "127.0.0.2", "CERVER_ISOLATION": "none", "CERVER_AUTO_UPDATE": false, "CERVER_GATEWAY_URL": "https://config.example"}""");
        File.WriteAllText(Path.Combine(home.Path, "cerver.env"), "CERVER_GATEWAY_URL=https://envfile.example\nexport CERVER_API_KEY=\"ck_file\"\n");
        var environment = new Dictionary<string, string?> { ["CERVER_HOME"] = home.Path, ["CERVER_RELAY_PORT"] = "9002" };

        var fromSources = RelaySettingsLoader.Load(environment);
        Assert.Equal(9002, fromSources.Port);
        Assert.Equal("127.0.0.2", fromSources.Listen);
        Assert.Equal("none", fromSources.Isolation);
        Assert.False(fromSources.AutoUpdate);
        Assert.Equal("https://envfile.example", fromSources.GatewayUrl);
        Assert.Equal("ck_file", fromSources.ApiKey);

        var withFlags = RelaySettingsLoader.Load(environment, new SettingsOverrides(Port: 9003, Listen: "127.0.0.1"));
        Assert.Equal(9003, withFlags.Port);
        Assert.Equal("127.0.0.1", withFlags.Listen);
    }

    [Fact]
    public void Defaults_apply_when_nothing_is_set()
    {
        using var home = new TempDirectory("cerver-home");
        var settings = RelaySettingsLoader.Load(new Dictionary<string, string?> { ["CERVER_HOME"] = home.Path });
        Assert.Equal(8790, settings.Port);
        Assert.Equal("127.0.0.1", settings.Listen);
        Assert.Equal("auto", settings.Isolation);
        Assert.True(settings.AutoUpdate);
        Assert.Null(settings.ApiKey);
        Assert.Equal(new Uri("http://127.0.0.1:8790"), settings.LocalUrl);
    }

    [Theory]
    [InlineData("CERVER_RELAY_PORT", "70000", "CERVER_RELAY_PORT must be a port number")]
    [InlineData("CERVER_RELAY_LISTEN", "my-laptop", "CERVER_RELAY_LISTEN must be an IP address")]
    [InlineData("CERVER_ISOLATION", "docker", "CERVER_ISOLATION must be auto, bubblewrap, seatbelt or none")]
    [InlineData("CERVER_MAX_SANDBOXES", "0", "CERVER_MAX_SANDBOXES must be a number from 1 to 4096")]
    [InlineData("CERVER_MAX_SANDBOXES", "lots", "CERVER_MAX_SANDBOXES must be a number from 1 to 4096")]
    public void Bad_values_name_the_setting(string key, string value, string message)
    {
        using var home = new TempDirectory("cerver-home");
        var error = Assert.Throws<SettingsException>(() => RelaySettingsLoader.Load(new Dictionary<string, string?> { ["CERVER_HOME"] = home.Path, [key] = value }));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_broken_config_json_is_named()
    {
        using var home = new TempDirectory("cerver-home");
        Directory.CreateDirectory(Path.Combine(home.Path, "relay"));
        File.WriteAllText(Path.Combine(home.Path, "relay", "config.json"), "{ \"CERVER_RELAY_PORT\": ");
        var error = Assert.Throws<SettingsException>(() => RelaySettingsLoader.Load(new Dictionary<string, string?> { ["CERVER_HOME"] = home.Path }));
        Assert.Contains("config.json is not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cerver_env_updates_keep_other_lines_and_stay_private()
    {
        using var home = new TempDirectory("cerver-home");
        var path = Path.Combine(home.Path, "cerver.env");
        File.WriteAllText(path, "# written by cerver\nCERVER_API_KEY=old\nOTHER_TOOL_SETTING=keep\n");

        CerverEnvFile.Update(path, new Dictionary<string, string?> { ["CERVER_API_KEY"] = "ck_new", ["CERVER_GATEWAY_URL"] = "https://gw.example" });

        Assert.Equal("# written by cerver\nCERVER_API_KEY=ck_new\nOTHER_TOOL_SETTING=keep\nCERVER_GATEWAY_URL=https://gw.example\n", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

        CerverEnvFile.Update(path, new Dictionary<string, string?> { ["CERVER_API_KEY"] = null });
        Assert.False(CerverEnvFile.Read(path).ContainsKey("CERVER_API_KEY"));
        Assert.Equal("keep", CerverEnvFile.Read(path)["OTHER_TOOL_SETTING"]);
    }
}
