using Cerver.Gateway.Embedded.Fleet;
using Cerver.Gateway.Embedded.Link;
using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Compute.Sandboxes;
using Cerver.Relay.Tests.Infrastructure;
using Cerver.Relay.Tests.Link;
using Microsoft.Extensions.DependencyInjection;

namespace Cerver.Relay.Tests.Conformance;

/// <summary>A real compute for the contract suite, and what the suite needs to know about where it runs.</summary>
public interface IComputeFixture
{
    ICompute Compute { get; }

    /// <summary>The daemon whose machine runs the sandboxes (for looking at workspaces on disk).</summary>
    RelayDaemon Machine { get; }
}

/// <summary>A real daemon's own compute: this machine's sandboxes, called in process.</summary>
public sealed class LocalComputeFixture : IComputeFixture, IAsyncLifetime
{
    public RelayDaemon Machine { get; private set; } = null!;

    public ICompute Compute => Machine.App.Services.GetRequiredService<LocalCompute>();

    public async ValueTask InitializeAsync() => Machine = await RelayDaemon.StartAsync("auto");

    public ValueTask DisposeAsync() => Machine.DisposeAsync();
}

/// <summary>
/// Relay B's compute as relay A holds it: B registers with A and opens its connect channel,
/// and every call of the suite crosses the real WebSocket to B's own API (as in <see cref="LinkTests"/>).
/// </summary>
public sealed class LinkedComputeFixture : IComputeFixture, IAsyncLifetime
{
    private const string AccountKey = "ck_conformance_account_key_0123456789abcdef";
    private RelayDaemon _a = null!;
    private string _linkedId = null!;

    public RelayDaemon Machine { get; private set; } = null!;

    public ICompute Compute => Assert.IsType<LinkedCompute>(_a.App.Services.GetRequiredService<ComputeRegistry>().Find(_linkedId)?.Compute);

    public async ValueTask InitializeAsync()
    {
        _a = await RelayDaemon.StartAsync("auto", apiKey: AccountKey);
        (Machine, _linkedId) = await LinkFixtures.StartLinkedAsync(_a, AccountKey);
    }

    public async ValueTask DisposeAsync()
    {
        await Machine.DisposeAsync();
        await _a.DisposeAsync();
    }
}
