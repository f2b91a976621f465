using System.Net;
using System.Text.Json.Nodes;
using Cerver.Relay.Sandbox.Tests.Infrastructure;

namespace Cerver.Relay.Sandbox.Tests;

/// <summary>
/// The file API against a workspace that a run filled with traps: every way out is a 4xx, never
/// a host file, never a 500, never a blocked daemon, and nothing outside the workspace changes.
/// </summary>
[Collection(HostileGroup.Name)]
public sealed class FileAttempts(HostileDaemon hostile)
{
    [Theory]
    [InlineData("ln -s / root", "root/etc/passwd")]
    [InlineData("mkdir -p sub && ln -s / sub/l && ln -s sub/l/etc/passwd a", "a")]
    [InlineData("ln -s /proc/self/environ env", "env")]
    [InlineData("ln -s /proc/self/root host", "host/etc/hostname")]
    [InlineData("ln -s /proc/1/cwd cwd", "cwd/relay/local.token")]
    [InlineData("ln -s ../../.. up", "up/relay/local.token")]
    [InlineData("ln -s SENTINEL/secret.txt s", "s")]
    [InlineData("mkdir -p d && ln -s SENTINEL d/s", "d/s/secret.txt")]
    public async Task A_read_through_a_link_out_of_the_workspace_is_refused(string plant, string path)
    {
        var id = await hostile.CreateAsync();
        await hostile.RunAsync(id, plant.Replace("SENTINEL", hostile.Sentinel, StringComparison.Ordinal));
        using var response = await hostile.GetFileAsync(id, path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.NotNull(JsonNode.Parse(body)!["error"]!["code"]);
        Assert.DoesNotContain(HostileDaemon.SentinelSecret, body, StringComparison.Ordinal);
        Assert.DoesNotContain(HostileDaemon.AccountKey, body, StringComparison.Ordinal);
        Assert.DoesNotContain(hostile.Daemon.Token, body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ln -s SENTINEL out", "out/planted.txt")]
    [InlineData("mkdir -p sub && ln -s SENTINEL sub/l && ln -s sub/l/folder a", "a/planted.txt")]
    [InlineData("ln -s SENTINEL/secret.txt over", "over")]
    [InlineData("ln -s SENTINEL/new.txt dangling", "dangling")]
    public async Task A_write_through_a_link_out_of_the_workspace_lands_nowhere_outside(string plant, string path)
    {
        var id = await hostile.CreateAsync();
        await hostile.RunAsync(id, plant.Replace("SENTINEL", hostile.Sentinel, StringComparison.Ordinal));
        using var response = await hostile.PutFileAsync(id, new { path, content = "planted" });
        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        hostile.AssertOutsideUntouched();
    }

    [Fact]
    public async Task Swapping_a_folder_for_a_link_while_writes_run_lands_nothing_outside()
    {
        var id = await hostile.CreateAsync();
        var swapper = hostile.RunAsync(id,
            $"end=$(($(date +%s) + 4)); while [ $(date +%s) -lt $end ]; do mkdir -p d; rm -rf d; ln -sfn '{hostile.Sentinel}/folder' d; rm -f d; done", timeout: 30);
        var writes = Enumerable.Range(0, 200).Select(async i =>
        {
            using var response = await hostile.PutFileAsync(id, new { path = $"d/f{i}.txt", content = "raced" });
            return response.StatusCode;
        });
        var statuses = await Task.WhenAll(writes);
        await swapper;
        Assert.DoesNotContain(HttpStatusCode.InternalServerError, statuses);
        hostile.AssertOutsideUntouched();
    }

    [Fact]
    public async Task A_link_to_dev_zero_is_refused_without_reading_it()
    {
        var id = await hostile.CreateAsync();
        await hostile.RunAsync(id, "ln -s /dev/zero z");
        using var response = await hostile.GetFileAsync(id, "z", "base64");
        Assert.InRange((int)response.StatusCode, 400, 499);
    }

    [Theory]
    [InlineData("mkfifo pipe", "pipe")]
    [InlineData("python3 -c \"import socket; s = socket.socket(socket.AF_UNIX); s.bind('sock')\"", "sock")]
    public async Task Special_files_are_refused_at_once(string plant, string path)
    {
        var id = await hostile.CreateAsync();
        await hostile.RunAsync(id, plant);
        using var read = await hostile.GetFileAsync(id, path);
        Assert.InRange((int)read.StatusCode, 400, 499);
        using var write = await hostile.PutFileAsync(id, new { path, content = "x" });
        Assert.NotEqual(HttpStatusCode.InternalServerError, write.StatusCode);
        using var health = await hostile.Daemon.Client.GetAsync("/healthz");
        Assert.True(health.IsSuccessStatusCode);
    }

    [Fact]
    public async Task A_link_loop_is_a_4xx()
    {
        var id = await hostile.CreateAsync();
        await hostile.RunAsync(id, "ln -s b a && ln -s a b");
        using var response = await hostile.GetFileAsync(id, "a");
        Assert.InRange((int)response.StatusCode, 400, 499);
    }

    [Theory]
    [InlineData(5_000_000, "x")]
    [InlineData(20_000, "./")]
    [InlineData(1_200, "d/")]
    public async Task Paths_that_cost_too_much_are_4xx(int repeat, string piece)
    {
        var id = await hostile.CreateAsync();
        var path = string.Concat(Enumerable.Repeat(piece, repeat)) + "f";
        using var write = await hostile.PutFileAsync(id, new { path, content = "x" });
        Assert.InRange((int)write.StatusCode, 400, 499);
    }

    [Fact]
    public async Task A_run_cwd_through_a_link_out_of_the_workspace_is_refused()
    {
        var id = await hostile.CreateAsync();
        await hostile.RunAsync(id, $"ln -s '{hostile.Sentinel}' out");
        using var response = await hostile.Daemon.Client.PostAsync($"/sandbox/{id}/run",
            Cerver.Relay.Tests.Infrastructure.RelayDaemon.Json("""{"code": "cat secret.txt", "cwd": "out"}"""));
        var body = await response.Content.ReadAsStringAsync();
        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.DoesNotContain(HostileDaemon.SentinelSecret, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_set_uid_bit_never_stays_on_a_workspace_file()
    {
        var id = await hostile.CreateAsync();
        await hostile.RunAsync(id, "cp /bin/sh ./suid && chmod 4755 ./suid; chmod 2755 ./suid 2>/dev/null; true");
        var file = Path.Combine(hostile.Daemon.WorkspaceOf(id), "suid");
        Assert.True(File.Exists(file));
        var mode = File.GetUnixFileMode(file);
        Assert.False(mode.HasFlag(UnixFileMode.SetUser) || mode.HasFlag(UnixFileMode.SetGroup), $"mode {mode} keeps a set-id bit");
    }

    [Fact]
    public async Task Deleting_a_sandbox_whose_workspace_links_out_deletes_nothing_outside()
    {
        var id = await hostile.CreateAsync();
        await hostile.RunAsync(id, $"ln -s '{hostile.Sentinel}' out; mkdir -p d; ln -s '{hostile.Sentinel}/folder' d/in");
        using var response = await hostile.Daemon.Client.DeleteAsync($"/sandbox/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        hostile.AssertOutsideUntouched();
        Assert.False(Directory.Exists(hostile.Daemon.WorkspaceOf(id)));
    }
}
