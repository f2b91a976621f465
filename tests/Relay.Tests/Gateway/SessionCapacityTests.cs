using System.Net.Http.Json;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Gateway;

/// <summary>A gateway whose every compute is full says "busy" (429), and records why the session failed.</summary>
public sealed class SessionCapacityTests
{
    [Fact]
    public async Task A_session_beyond_CERVER_MAX_SANDBOXES_is_429_and_marked_failed_with_the_reason()
    {
        await using var daemon = await RelayDaemon.StartAsync("none", environment: new Dictionary<string, string?> { ["CERVER_MAX_SANDBOXES"] = "1" });
        var body = new { task = "fill the machine", requirements = new { runtime = "shell" } };

        await RelayDaemon.ReadJsonAsync(await daemon.Client.PostAsJsonAsync("/gateway/sessions", body, TestContext.Current.CancellationToken), 200);
        var refused = await RelayDaemon.ReadJsonAsync(await daemon.Client.PostAsJsonAsync("/gateway/sessions", body, TestContext.Current.CancellationToken), 429);

        Assert.Equal("computes_busy", refused["error"]!["code"]!.GetValue<string>());
        var message = refused["error"]!["message"]!.GetValue<string>();
        Assert.Contains("1 sandboxes", message, StringComparison.Ordinal);
        var failedId = System.Text.RegularExpressions.Regex.Match(message, "ses_[a-z0-9]+").Value;
        var failed = await RelayDaemon.ReadJsonAsync(await daemon.Client.GetAsync($"/gateway/sessions/{failedId}", TestContext.Current.CancellationToken), 200);
        Assert.Equal("failed", failed["status"]!.GetValue<string>());
        Assert.Contains(failed["events"]!.AsArray(), e => e!["type"]!.GetValue<string>() == "provision_failed");
    }
}
