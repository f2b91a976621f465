using Cerver.Gateway.Embedded.Accounts.Wire;
using Cerver.Relay.Link;
using Cerver.Relay.Login;
using Microsoft.Extensions.Time.Testing;

namespace Cerver.Relay.Tests.Login;

/// <summary>The device flow's polling state machine (RFC 8628 section 3.5), on a clock the test moves a second at a time.</summary>
public sealed class DeviceLoginPollerTests
{
    private static readonly DeviceStartResponse Start = new("cdc_code", "BCDF-GHJK", "http://gateway/device", ExpiresIn: 60, Interval: 5);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly List<TimeSpan> _polls = [];
    private DateTimeOffset _started;

    [Fact]
    public async Task Waits_the_interval_before_each_poll_and_returns_the_approved_key()
    {
        var result = await RunAsync(Pending(), Pending(), new DevicePollResponse("approved", AccessToken: "crk_key", AccountId: "acc_1", KeyId: "key_1"));
        Assert.Equal(new DeviceLoginResult("crk_key", "acc_1", "key_1"), result);
        Assert.Equal([Seconds(5), Seconds(10), Seconds(15)], _polls);
    }

    [Fact]
    public async Task Slow_down_adds_five_seconds_to_every_later_wait()
    {
        await RunAsync(new DevicePollResponse("pending", "slow_down"), Pending(), new DevicePollResponse("approved", AccessToken: "crk_key", AccountId: "acc_1"));
        Assert.Equal([Seconds(5), Seconds(15), Seconds(25)], _polls);
    }

    [Theory]
    [InlineData("access_denied")]
    [InlineData("expired_token")]
    [InlineData("invalid_device_code")]
    public async Task A_refusal_ends_the_login_at_once(string error)
    {
        var exception = await Assert.ThrowsAsync<DeviceLoginException>(() => RunAsync(new DevicePollResponse("invalid", error), Pending()));
        Assert.Equal(error, exception.Code);
        Assert.Single(_polls);
    }

    [Fact]
    public async Task Gives_up_when_the_code_expires_and_rides_out_an_unreachable_gateway()
    {
        var answers = Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? null : Pending()).ToArray();
        var exception = await Assert.ThrowsAsync<DeviceLoginException>(() => RunAsync(answers));
        Assert.Equal("expired_token", exception.Code);
        Assert.Equal(11, _polls.Count);
        Assert.Equal(Seconds(55), _polls[^1]);
    }

    [Fact]
    public async Task Cancelling_stops_the_wait()
    {
        using var cancel = new CancellationTokenSource();
        var login = new DeviceLoginPoller(_time).PollAsync(Start, _ => Task.FromResult(Pending()), cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => login);
    }

    private static DevicePollResponse Pending() => new("pending", "authorization_pending");

    private static TimeSpan Seconds(int seconds) => TimeSpan.FromSeconds(seconds);

    /// <summary>
    /// Polls against scripted answers (null: the gateway is unreachable), moving the clock a
    /// second at a time until the login ends; records when, after the start, each poll came.
    /// </summary>
    private async Task<DeviceLoginResult> RunAsync(params DevicePollResponse?[] script)
    {
        var answers = new Queue<DevicePollResponse?>(script);
        _started = _time.GetUtcNow();
        // The poller registers its first wait before PollAsync returns, and resumes inline when the clock moves.
        var login = new DeviceLoginPoller(_time).PollAsync(Start, _ =>
        {
            _polls.Add(_time.GetUtcNow() - _started);
            return answers.Dequeue() is { } answer ? Task.FromResult(answer) : Task.FromException<DevicePollResponse>(new GatewayException("unreachable"));
        }, CancellationToken.None);
        for (var second = 0; second < 120 && !login.IsCompleted; second++)
        {
            await Task.Yield();
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        return await login.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }
}
