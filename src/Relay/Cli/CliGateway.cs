using Cerver.Relay.Link;
using Microsoft.Extensions.DependencyInjection;

namespace Cerver.Relay.Cli;

/// <summary>The gateway client for a CLI verb, built the same way as the daemon's (retries, timeouts, proxy).</summary>
public sealed class CliGateway : IDisposable
{
    private readonly ServiceProvider _services;

    public CliGateway(Uri gateway)
    {
        _services = new ServiceCollection().AddGatewayClient(gateway).BuildServiceProvider();
        Client = _services.GetRequiredService<GatewayClient>();
    }

    public GatewayClient Client { get; }

    public void Dispose() => _services.Dispose();
}

/// <summary>A token that Ctrl-C cancels, so a verb can stop waiting and exit cleanly instead of being killed.</summary>
public sealed class CtrlC : IDisposable
{
    private readonly CancellationTokenSource _source;

    public CtrlC(CancellationToken outer)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(outer);
        Console.CancelKeyPress += OnCancel;
    }

    public CancellationToken Token => _source.Token;

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancel;
        _source.Dispose();
    }

    private void OnCancel(object? sender, ConsoleCancelEventArgs args)
    {
        args.Cancel = true;
        _source.Cancel();
    }
}
