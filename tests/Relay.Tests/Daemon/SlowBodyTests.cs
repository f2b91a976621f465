using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Http;
using Cerver.Relay.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Cerver.Relay.Tests.Daemon;

/// <summary>A client trickling a large body gets a clear refusal at the deadline and lets the next large body in.</summary>
public sealed class SlowBodyTests
{
    [Fact]
    public async Task A_large_body_that_trickles_is_refused_at_its_deadline_and_frees_the_turn()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var daemon = await RelayDaemon.StartAsync("none", time: time);
        // The longest lifetime, so the clock moved below never expires the sandbox.
        var id = await daemon.CreateSandboxAsync(new { timeout_minutes = 1440 });

        using var slow = new TcpClient();
        await slow.ConnectAsync(daemon.BaseUrl.Host, daemon.BaseUrl.Port, TestContext.Current.CancellationToken);
        var stream = slow.GetStream();
        var length = 2 * 1024 * 1024;
        var head = $"PUT /sandbox/{id}/files HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {daemon.Token}\r\n" +
            $"Content-Type: application/json\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n{{\"path\": \"slow.txt\", \"content\": \"";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), TestContext.Current.CancellationToken);

        // The deadline's timer exists once the daemon has started reading; move the clock until it fires.
        var answer = ReadAllAsync(stream);
        for (var step = 0; step < 600 && !answer.IsCompleted; step++)
        {
            time.Advance(JsonBody.LargeBodyDeadline);
            await Task.WhenAny(answer, Task.Delay(100, TestContext.Current.CancellationToken));
        }

        var raw = await answer.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.StartsWith("HTTP/1.1 400", raw, StringComparison.Ordinal);
        var body = raw[(raw.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        var json = body[body.IndexOf('{', StringComparison.Ordinal)..(body.LastIndexOf('}') + 1)]; // the body may come chunked
        Assert.Equal("body_too_slow", JsonNode.Parse(json)!["error"]!["code"]!.GetValue<string>());

        var content = new string('a', 2 * 1024 * 1024);
        using var next = await daemon.Client.PutAsJsonAsync($"/sandbox/{id}/files", new { path = "next.txt", content }, TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, next.StatusCode);
        Assert.False(File.Exists(Path.Combine(daemon.WorkspaceOf(id), "slow.txt")));
    }

    private static async Task<string> ReadAllAsync(NetworkStream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
        return await reader.ReadToEndAsync(TestContext.Current.CancellationToken);
    }
}
