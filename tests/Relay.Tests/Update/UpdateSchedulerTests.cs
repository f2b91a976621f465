using Cerver.Relay.Update;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace Cerver.Relay.Tests.Update;

public sealed class UpdateSchedulerTests
{
    [Fact]
    public async Task Checks_first_after_a_few_minutes_then_every_six_hours_with_jitter()
    {
        var time = new TimerSignallingTimeProvider();
        var runs = new SemaphoreSlim(0);
        var run = Substitute.For<IUpdateRun>();
        run.RunOnceAsync(Arg.Any<CancellationToken>()).Returns(Task.CompletedTask).AndDoes(_ => runs.Release());
        using var scheduler = new UpdateScheduler(run, time, new Random(7), NullLogger<UpdateScheduler>.Instance);
        await scheduler.StartAsync(CancellationToken.None);

        await time.WaitForTimerAsync();
        time.Advance(UpdateScheduler.FirstDelayMin - TimeSpan.FromSeconds(1));
        Assert.Equal(0, runs.CurrentCount);

        time.Advance(UpdateScheduler.FirstDelayMax - UpdateScheduler.FirstDelayMin + TimeSpan.FromSeconds(1));
        Assert.True(await runs.WaitAsync(TimeSpan.FromSeconds(10)), "the first check did not run");
        await time.WaitForTimerAsync();

        time.Advance(UpdateScheduler.Interval - UpdateScheduler.Jitter - TimeSpan.FromSeconds(1));
        Assert.False(await runs.WaitAsync(TimeSpan.Zero), "the second check came before 6 h minus the jitter");

        time.Advance(UpdateScheduler.Jitter * 2 + TimeSpan.FromSeconds(2));
        Assert.True(await runs.WaitAsync(TimeSpan.FromSeconds(10)), "the second check did not run within 6 h plus the jitter");

        await scheduler.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_failed_check_is_logged_and_the_schedule_goes_on()
    {
        var time = new TimerSignallingTimeProvider();
        var runs = new SemaphoreSlim(0);
        var run = Substitute.For<IUpdateRun>();
        run.RunOnceAsync(Arg.Any<CancellationToken>()).Returns(Task.FromException(new UpdateException("GitHub is down")), Task.CompletedTask).AndDoes(_ => runs.Release());
        using var scheduler = new UpdateScheduler(run, time, new Random(7), NullLogger<UpdateScheduler>.Instance);
        await scheduler.StartAsync(CancellationToken.None);

        await time.WaitForTimerAsync();
        time.Advance(UpdateScheduler.FirstDelayMax + TimeSpan.FromSeconds(1));
        Assert.True(await runs.WaitAsync(TimeSpan.FromSeconds(10)));
        await time.WaitForTimerAsync();
        time.Advance(UpdateScheduler.Interval + UpdateScheduler.Jitter + TimeSpan.FromSeconds(1));
        Assert.True(await runs.WaitAsync(TimeSpan.FromSeconds(10)), "the schedule stopped after a failed check");

        await scheduler.StopAsync(CancellationToken.None);
    }

    /// <summary>Signals each timer the scheduler sets, so the test advances time only once the scheduler waits on it.</summary>
    private sealed class TimerSignallingTimeProvider : FakeTimeProvider
    {
        private readonly global::System.Threading.Channels.Channel<bool> _timers = global::System.Threading.Channels.Channel.CreateUnbounded<bool>();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            _timers.Writer.TryWrite(true);
            return timer;
        }

        public async Task WaitForTimerAsync()
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _timers.Reader.ReadAsync(limit.Token);
        }
    }
}
