using System.Net;
using System.Net.Http.Json;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Daemon;

/// <summary>Who may call the local API (SPEC section 3).</summary>
public sealed class LocalApiGuardTests(SharedDaemon shared) : IClassFixture<SharedDaemon>
{
    private readonly RelayDaemon _daemon = shared.Daemon;

    [Fact]
    public async Task Healthz_needs_no_token()
    {
        using var client = _daemon.CreateClient(null);
        var json = await RelayDaemon.ReadJsonAsync(await client.GetAsync("/healthz"), 200);
        Assert.Equal("ok", json["status"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token")]
    [InlineData("")]
    public async Task Calls_without_the_token_are_401(string? token)
    {
        using var client = _daemon.CreateClient(token);
        using var response = await client.PostAsJsonAsync("/sandbox", new { });
        Assert.Equal("unauthorized", await RelayDaemon.ReadErrorAsync(response, 401));
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        using var list = await _daemon.Client.GetAsync("/sandbox");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }

    [Fact]
    public async Task The_account_key_is_accepted_like_the_local_token()
    {
        using var client = _daemon.CreateClient(SharedDaemonKeys.AccountKey);
        using var response = await client.GetAsync("/sandbox");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("attacker.test:8790")]
    [InlineData("192.168.1.20")]
    public async Task A_foreign_host_header_is_403_even_with_the_token(string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/sandbox");
        request.Headers.Host = host;
        using var response = await _daemon.Client.SendAsync(request);
        Assert.Equal("forbidden_host", await RelayDaemon.ReadErrorAsync(response, 403));
    }

    [Fact]
    public async Task A_foreign_browser_origin_is_403_and_no_cors_headers_are_sent()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/sandbox");
        request.Headers.Add("Origin", "https://evil.example");
        using var response = await _daemon.Client.SendAsync(request);
        Assert.Equal("forbidden_origin", await RelayDaemon.ReadErrorAsync(response, 403));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));

        using var own = new HttpRequestMessage(HttpMethod.Get, "/sandbox");
        own.Headers.Add("Origin", _daemon.BaseUrl.GetLeftPart(UriPartial.Authority));
        using var ok = await _daemon.Client.SendAsync(own);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task The_token_file_is_private()
    {
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_daemon.Settings.Paths.TokenFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_daemon.Settings.Paths.RelayDirectory));
        await Task.CompletedTask;
    }
}
