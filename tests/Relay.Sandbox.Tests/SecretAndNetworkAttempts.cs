using Cerver.Relay.Sandbox.Tests.Infrastructure;

namespace Cerver.Relay.Sandbox.Tests;

/// <summary>Keys, the local token and the relay's state never reach a sandbox; <c>network: false</c> means no network at all.</summary>
[Collection(HostileGroup.Name)]
public sealed class SecretAndNetworkAttempts(HostileDaemon hostile)
{
    [Fact]
    public async Task The_environment_holds_neither_the_account_key_nor_the_token()
    {
        var output = await hostile.AttemptAsync("env; tr '\\0' '\\n' < /proc/self/environ");
        Assert.DoesNotContain(HostileDaemon.AccountKey, output.All, StringComparison.Ordinal);
        Assert.DoesNotContain(hostile.Daemon.Token, output.All, StringComparison.Ordinal);
        Assert.DoesNotContain("CERVER_API_KEY", output.All, StringComparison.Ordinal);
        Assert.DoesNotContain("CERVER_HOME=", output.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_descriptor_of_the_daemon_or_the_launch_chain_reaches_the_sandbox()
    {
        // The run's descriptors exactly as inherited: the shell execs ls, which adds only the
        // one it lists /proc/self/fd with (a link into /proc).
        var output = await hostile.AttemptAsync("exec ls -l /proc/self/fd");
        var lines = output.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => line.Contains(" -> ", StringComparison.Ordinal));
        var descriptors = lines.Select(line => line.Split(" -> ", 2)).Select(parts => new[] { parts[0].Split(' ')[^1], parts[1] }).ToList();
        Assert.Equal(["0", "1", "2"], descriptors.Select(fd => fd[0]).Where(fd => fd is "0" or "1" or "2").ToList());
        Assert.True(!descriptors.Any(fd => int.Parse(fd[0], System.Globalization.CultureInfo.InvariantCulture) > 2 && !fd[1].Contains("/proc/", StringComparison.Ordinal)), output.Stdout);
        Assert.DoesNotContain("seccomp", output.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("socket:", output.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_relays_files_are_not_there()
    {
        var paths = hostile.Daemon.Settings.Paths;
        var output = await hostile.AttemptAsync(
            $"for f in '{paths.TokenFile}' '{paths.EnvFile}' '{Path.Combine(paths.RelayDirectory, "relay.db")}' '{Path.Combine(paths.RelayDirectory, "identity.json")}'; do cat \"$f\" 2>/dev/null && echo ESCAPED-$f; done; ls -A '{paths.RelayDirectory}' 2>&1");
        Assert.DoesNotContain("ESCAPED", output.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(hostile.Daemon.Token, output.All, StringComparison.Ordinal);
        Assert.DoesNotContain("relay.db", output.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_sandboxs_workspace_is_invisible_and_untouchable()
    {
        var victim = await hostile.CreateAsync();
        await hostile.RunAsync(victim, "echo victim-data-81 > mine.txt");
        var victimWorkspace = hostile.Daemon.WorkspaceOf(victim);
        var output = await hostile.AttemptAsync($"cat '{victimWorkspace}/mine.txt' 2>/dev/null; rm -f '{victimWorkspace}/mine.txt' 2>/dev/null; ls '{victimWorkspace}/..' 2>/dev/null; true");
        Assert.DoesNotContain("victim-data-81", output.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(victim, output.Stdout, StringComparison.Ordinal);
        Assert.Equal("victim-data-81\n", File.ReadAllText(Path.Combine(victimWorkspace, "mine.txt")));
    }

    [Fact]
    public async Task Without_network_only_loopback_exists()
    {
        var output = await hostile.AttemptAsync("awk 'NR > 2 { print $1 }' /proc/net/dev");
        Assert.Equal(["lo:"], output.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Without_network_the_relays_own_api_is_unreachable()
    {
        var port = hostile.Daemon.BaseUrl.Port;
        var output = await hostile.AttemptAsync(
            $"python3 -c \"import socket; s = socket.create_connection(('127.0.0.1', {port}), timeout=3); print('ESCAPED')\" 2>&1; true");
        Assert.DoesNotContain("ESCAPED", output.Stdout, StringComparison.Ordinal);
        Assert.Contains("refused", output.Stdout, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Without_network_an_abstract_unix_socket_of_the_host_is_unreachable()
    {
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint("\0cerver-adversarial-abstract"));
        listener.Listen();
        var output = await hostile.AttemptAsync(
            "python3 -c \"import socket; s = socket.socket(socket.AF_UNIX); s.connect('\\0cerver-adversarial-abstract'); print('ESCAPED')\" 2>&1; true");
        Assert.DoesNotContain("ESCAPED", output.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_network_the_token_still_cannot_be_found_to_drive_the_api()
    {
        var output = await hostile.AttemptAsync(
            $"grep -rah '{hostile.Daemon.Token[..12]}' / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev 2>/dev/null | head -1; echo done", network: true);
        Assert.DoesNotContain(hostile.Daemon.Token, output.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pip_install_without_network_never_runs_a_planted_venv_python_with_network()
    {
        using var listener = HostListener(out var port);
        var id = await hostile.CreateAsync();
        using var planted = await hostile.PutFileAsync(id, new { path = ".venv/bin/python", content = $"#!/bin/sh\n{Reach(port)}\nexec /bin/false\n", mode = "0755" });
        Assert.Equal(System.Net.HttpStatusCode.OK, planted.StatusCode);

        using var install = await InstallAsync(id, """{"manager": "pip", "packages": ["six"]}""");

        Assert.NotEqual(System.Net.HttpStatusCode.InternalServerError, install.StatusCode);
        Assert.False(listener.Pending(), "a planted .venv/bin/python reached the host's loopback during an install");
    }

    [Fact]
    public async Task An_npm_install_without_network_runs_a_local_packages_scripts_without_network()
    {
        using var listener = HostListener(out var port);
        var id = await hostile.CreateAsync();
        var manifest = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["name"] = "pkg",
            ["version"] = "1.0.0",
            ["scripts"] = new Dictionary<string, string> { ["postinstall"] = Reach(port) },
        });
        using var planted = await hostile.PutFileAsync(id, new { path = "pkg/package.json", content = manifest });
        Assert.Equal(System.Net.HttpStatusCode.OK, planted.StatusCode);

        using var install = await InstallAsync(id, """{"manager": "npm", "packages": ["./pkg"]}""");

        Assert.Equal(System.Net.HttpStatusCode.OK, install.StatusCode);
        Assert.False(listener.Pending(), "a local package's postinstall reached the host's loopback during an install");
    }

    private static System.Net.Sockets.TcpListener HostListener(out int port)
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        return listener;
    }

    /// <summary>A command that connects to the host's loopback port, which only a sandbox sharing the host's network reaches.</summary>
    private static string Reach(int port) => $"python3 -c \"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=2)\"";

    private async Task<HttpResponseMessage> InstallAsync(string id, string body) =>
        await hostile.Daemon.Client.PostAsync($"/sandbox/{id}/packages", Cerver.Relay.Tests.Infrastructure.RelayDaemon.Json(body));
}
