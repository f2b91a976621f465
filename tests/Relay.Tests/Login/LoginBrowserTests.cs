using System.Text.RegularExpressions;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Login;

/// <summary>
/// <c>login</c> opens the browser on the gateway's <c>verification_uri_complete</c>, so the person
/// approving types nothing, and prints the plain page and the code. The browser is a stand-in
/// <c>xdg-open</c> on <c>PATH</c> that records what it was asked to open.
/// </summary>
public sealed partial class LoginBrowserTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_browser_opens_the_page_with_the_code_filled_in()
    {
        await using var gateway = await RelayDaemon.StartAsync("none");
        using var home = new TempDirectory("cerver-home");
        using var bin = new TempDirectory("fake-bin");
        var opened = Path.Combine(bin.Path, "opened.txt");
        var opener = Path.Combine(bin.Path, "xdg-open");
        File.WriteAllText(opener, $"#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{opened}'\n");
        File.SetUnixFileMode(opener, (UnixFileMode)0b111_101_101);
        var env = new Dictionary<string, string>
        {
            ["PATH"] = $"{bin.Path}:{Environment.GetEnvironmentVariable("PATH")}",
            ["DISPLAY"] = ":99",
            ["CERVER_RELAY_PORT"] = RelayProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        using var login = RelayProcess.StartCli(home.Path, ["login", "--gateway", gateway.BaseUrl.ToString()], env);
        var code = await login.WaitForOutputAsync(UserCodeLine(), Patience);
        await login.WaitForLineAsync("(opened in your browser)", Patience);
        Assert.Equal(130, await login.InterruptAsync(Patience));

        var page = new Uri(gateway.BaseUrl, "/device").ToString();
        Assert.Equal([$"{page}?user_code={code}"], File.ReadAllLines(opened));
        Assert.Contains($"  open        {page}\n", login.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(home.Path, "cerver.env")), "a cancelled login writes nothing");
    }

    [GeneratedRegex(@"enter code\s+([A-Z]{4}-[A-Z]{4})")]
    private static partial Regex UserCodeLine();
}
