using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Compute.Sandboxes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Cerver.Relay.Compute.Tests.Sandboxes;

/// <summary>Expiry against a real SQLite file and real workspaces, on a clock the test moves.</summary>
public sealed class SandboxExpiryTests : IDisposable
{
    private readonly string _relay = Directory.CreateTempSubdirectory("relay-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
    private readonly ServiceProvider _services;

    public SandboxExpiryTests()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        services.AddLocalCompute(options =>
        {
            options.RelayDirectory = _relay;
            options.Isolation = "none";
        });
        _services = services.BuildServiceProvider();
    }

    private LocalCompute Compute => _services.GetRequiredService<LocalCompute>();

    [Fact]
    public async Task A_sandbox_past_its_lifetime_is_deleted_with_its_workspace()
    {
        var shortLived = await Compute.CreateSandboxAsync(new CreateSandboxRequest { TimeoutMinutes = 1 }, CancellationToken.None);
        var longLived = await Compute.CreateSandboxAsync(new CreateSandboxRequest { TimeoutMinutes = 10 }, CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, Compute.DeleteExpired());

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, Compute.DeleteExpired());

        Assert.False(Directory.Exists(Compute.WorkspaceOf(shortLived.SandboxId)));
        await Assert.ThrowsAsync<ComputeException>(() => Compute.GetSandboxAsync(shortLived.SandboxId, CancellationToken.None));
        Assert.Equal(longLived.SandboxId, (await Compute.GetSandboxAsync(longLived.SandboxId, CancellationToken.None)).SandboxId);
    }

    [Fact]
    public async Task Start_up_clean_up_removes_stray_workspaces_and_records_without_one()
    {
        var kept = await Compute.CreateSandboxAsync(new CreateSandboxRequest(), CancellationToken.None);
        var lost = await Compute.CreateSandboxAsync(new CreateSandboxRequest(), CancellationToken.None);
        Directory.Delete(Compute.WorkspaceOf(lost.SandboxId), recursive: true);
        var stray = Path.Combine(_relay, "sandboxes", "sbx_strayworkspace0000");
        Directory.CreateDirectory(stray);

        Compute.CleanUpAfterRestart();

        Assert.False(Directory.Exists(stray));
        Assert.True(Directory.Exists(Compute.WorkspaceOf(kept.SandboxId)));
        var live = await Compute.ListSandboxesAsync(CancellationToken.None);
        Assert.Equal([kept.SandboxId], live.Select(record => record.SandboxId));
    }

    [Fact]
    public async Task The_sandbox_limit_is_a_busy_refusal()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        var relay = Path.Combine(_relay, "limited");
        services.AddLocalCompute(options =>
        {
            options.RelayDirectory = relay;
            options.Isolation = "none";
            options.MaxSandboxes = 2;
        });
        await using var provider = services.BuildServiceProvider();
        var compute = provider.GetRequiredService<LocalCompute>();

        await compute.CreateSandboxAsync(new CreateSandboxRequest(), CancellationToken.None);
        var second = await compute.CreateSandboxAsync(new CreateSandboxRequest(), CancellationToken.None);
        var error = await Assert.ThrowsAsync<ComputeException>(() => compute.CreateSandboxAsync(new CreateSandboxRequest(), CancellationToken.None));
        Assert.Equal(ComputeErrorKind.Busy, error.Kind);

        await compute.DeleteSandboxAsync(second.SandboxId, CancellationToken.None);
        await compute.CreateSandboxAsync(new CreateSandboxRequest(), CancellationToken.None);
    }

    public void Dispose()
    {
        _services.Dispose();
        Directory.Delete(_relay, recursive: true);
    }
}
