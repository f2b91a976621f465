using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Compute.Limits;
using Microsoft.Extensions.Time.Testing;

namespace Cerver.Relay.Compute.Tests.Limits;

/// <summary>The quota on a real folder and a clock the test moves.</summary>
public sealed class WorkspaceQuotaTests : IDisposable
{
    private const long MiB = 1024 * 1024;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);
    private readonly string _root = Directory.CreateTempSubdirectory("quota-").FullName;
    private readonly FakeTimeProvider _time = new();

    private WorkspaceQuota Quota => new(4 * MiB, new WorkspaceWalker(), _time, Interval);

    [Fact]
    public void A_write_that_would_pass_the_limit_is_refused_with_workspace_full()
    {
        File.WriteAllBytes(Path.Combine(_root, "existing"), new byte[3 * MiB]);

        Quota.EnsureRoom(_root, MiB / 2);
        var refused = Assert.Throws<ComputeException>(() => Quota.EnsureRoomFor(_root, new WriteFileRequest { Path = "more", Content = new string('a', (int)(2 * MiB)) }));

        Assert.Equal(ComputeErrorKind.TooLarge, refused.Kind);
        Assert.Equal("workspace_full", refused.Code);
    }

    [Fact]
    public void The_watch_fires_at_the_first_sample_past_the_limit_and_says_why()
    {
        using var watch = Quota.Watch(_root, CancellationToken.None);
        _time.Advance(Interval);
        Assert.False(watch.Token.IsCancellationRequested);

        File.WriteAllBytes(Path.Combine(_root, "filler"), new byte[5 * MiB]);
        _time.Advance(Interval);

        Assert.True(watch.Token.IsCancellationRequested);
        Assert.Contains("workspace_full", watch.StopReason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_watch_carries_the_run_token()
    {
        using var run = new CancellationTokenSource();
        using var watch = Quota.Watch(_root, run.Token);

        run.Cancel();

        Assert.True(watch.Token.IsCancellationRequested);
        Assert.Null(watch.StopReason);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
