using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Cerver.Relay.Bench;

/// <summary>
/// The connect channel's cost: relay B logs in to relay A for real (device code, approved with
/// A's CLI) and opens its channel, then the same session run and the same 64 MiB stream are
/// timed through A (a session pinned to B, carried over the channel to B's own API) and on B's
/// own embedded gateway, interleaved. The difference is what the hop through A adds.
/// </summary>
internal sealed partial class LinkMeasurements(string relayDll, Interleaver sampler, Interleaver streamSampler, TextWriter progress)
{
    private const string TrueCode = "true";
    private const long StreamBytes = 64L * 1024 * 1024;

    /// <summary>64 MiB of 'a' without a newline, so every stdout byte is a data byte of the stream.</summary>
    private static readonly string StreamCode = $"head -c {StreamBytes.ToString(CultureInfo.InvariantCulture)} /dev/zero | tr '\\0' a";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public async Task<IReadOnlyList<MeasurementResult>> MeasureAsync(string isolation, List<string> notes, CancellationToken cancellationToken)
    {
        // A is a gateway of its own: no gateway above it, and a fast login poll.
        var gatewaySettings = new Dictionary<string, string>
        {
            ["CERVER_API_KEY"] = "",
            ["CERVER_GATEWAY_URL"] = "",
            ["CERVER_DEVICE_INTERVAL_SECONDS"] = "1",
        };
        var started = Stopwatch.GetTimestamp();
        await using var gateway = await RelayDaemon.StartAsync(relayDll, isolation, connections: 1, cancellationToken, environment: gatewaySettings);
        var linkedHome = Directory.CreateTempSubdirectory($"cerver-bench-linked-{isolation}-").FullName;
        RelayDaemon? linked = null;
        try
        {
            await LogInAsync(gateway, gatewaySettings, linkedHome, cancellationToken);
            linked = await RelayDaemon.StartAsync(relayDll, isolation, connections: 1, cancellationToken, linkedHome,
                new Dictionary<string, string> { ["CERVER_HEARTBEAT_SECONDS"] = "1" });
            var computeId = await WaitForLinkAsync(linked, cancellationToken);
            progress.WriteLine($"  link: gateway A on 127.0.0.1:{gateway.Port}, relay B on 127.0.0.1:{linked.Port} logged in and linked as {computeId} in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
            return await MeasureLinkAsync(gateway, linked, computeId, notes, cancellationToken);
        }
        finally
        {
            if (linked is null)
            {
                RelayDaemon.DeleteHome(linkedHome);
            }
            else
            {
                await linked.DisposeAsync();
            }
        }
    }

    private async Task<IReadOnlyList<MeasurementResult>> MeasureLinkAsync(RelayDaemon gateway, RelayDaemon linked, string computeId,
        List<string> notes, CancellationToken cancellationToken)
    {
        var isolation = linked.Isolation;
        var viaLink = await gateway.Client.CreateSessionOnAsync(computeId, cancellationToken);
        var (direct, _) = await linked.Client.CreateSessionAsync(cancellationToken);

        var runName = $"link run 'true' ({isolation})";
        var (linkRunCpu, directRunCpu) = (new CpuTally(gateway, linked), new CpuTally(gateway, linked));
        var (linkRuns, directRuns) = await sampler.RunAsync(runName,
            linkRunCpu.Around(token => gateway.Client.SessionRunAsync(viaLink, TrueCode, token)),
            directRunCpu.Around(token => linked.Client.SessionRunAsync(direct, TrueCode, token)),
            cancellationToken);
        notes.Add($"CPU per run of '{runName}' (warm-up included): {linkRunCpu.Describe()} through the link; {directRunCpu.Describe()} on B's own gateway");

        var streamName = $"link stream 64 MiB ({isolation})";
        var (linkStreamCpu, directStreamCpu) = (new CpuTally(gateway, linked), new CpuTally(gateway, linked));
        var (linkStreams, directStreams) = await streamSampler.RunAsync(streamName,
            linkStreamCpu.Around(token => gateway.Client.SessionStreamThroughputAsync(viaLink, StreamCode, StreamBytes, token)),
            directStreamCpu.Around(token => linked.Client.SessionStreamThroughputAsync(direct, StreamCode, StreamBytes, token)),
            cancellationToken);
        notes.Add($"CPU per 64 MiB stream of '{streamName}' (warm-up included): {linkStreamCpu.Describe()} through the link; {directStreamCpu.Describe()} on B's own gateway");
        notes.Add($"lowest throughput of '{streamName}': {linkStreams.Min():0.0} MB/s through the link, {directStreams!.Min():0.0} MB/s on B's own gateway");

        await gateway.Client.DeleteSessionAsync(viaLink, cancellationToken);
        await linked.Client.DeleteSessionAsync(direct, cancellationToken);
        return
        [
            MeasurementResult.From(runName, "ms", linkRuns, new Target.DifferenceAtMost(1),
                "the same session run on B's own gateway", directRuns),
            MeasurementResult.From(streamName, "MB/s", linkStreams, new Target.RatioAtLeast(0.8),
                "the same streamed session run on B's own gateway", directStreams),
        ];
    }

    /// <summary><c>cerver-relay login</c> for B against A, approved with <c>cerver-relay devices approve</c> on A.</summary>
    private async Task LogInAsync(RelayDaemon gateway, Dictionary<string, string> gatewaySettings, string linkedHome, CancellationToken cancellationToken)
    {
        var gatewayUrl = $"http://127.0.0.1:{gateway.Port}";
        using var login = RelayCommand.Start(relayDll, linkedHome, new Dictionary<string, string>(), "login", "--gateway", gatewayUrl, "--no-browser");
        var code = await login.WaitForLineAsync(UserCodeLine(), Patience, cancellationToken);
        var owner = new Dictionary<string, string>(gatewaySettings)
        {
            ["CERVER_ISOLATION"] = gateway.Isolation,
            ["CERVER_RELAY_PORT"] = gateway.Port.ToString(CultureInfo.InvariantCulture),
        };
        await RelayCommand.RunAsync(relayDll, gateway.Home, owner, Patience, cancellationToken, "devices", "approve", code);
        await login.WaitForSuccessAsync(Patience, cancellationToken);
    }

    /// <summary>Waits until B says its link to A is connected; returns B's compute id on A.</summary>
    private static async Task<string> WaitForLinkAsync(RelayDaemon linked, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Patience.TotalSeconds * Stopwatch.Frequency);
        (string? Link, string? ComputeId) state = (null, null);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            state = await linked.Client.GatewayLinkAsync(cancellationToken);
            if (state is { Link: "connected", ComputeId: { } computeId })
            {
                return computeId;
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new BenchException($"relay B's link to A was not connected within {Patience.TotalSeconds:0} s (link {state.Link ?? "none"}, compute id {state.ComputeId ?? "none"}):\n{linked.Tail}");
    }

    /// <summary>CPU time A and B use during one side's calls, to tell work from waiting.</summary>
    private sealed class CpuTally(RelayDaemon gateway, RelayDaemon linked)
    {
        private double _gatewayMilliseconds;
        private double _linkedMilliseconds;
        private int _calls;

        public Func<CancellationToken, Task<double>> Around(Func<CancellationToken, Task<double>> call) => async token =>
        {
            var (gatewayBefore, linkedBefore) = (gateway.CpuMilliseconds(), linked.CpuMilliseconds());
            var value = await call(token);
            _gatewayMilliseconds += gateway.CpuMilliseconds() - gatewayBefore;
            _linkedMilliseconds += linked.CpuMilliseconds() - linkedBefore;
            _calls++;
            return value;
        };

        public string Describe() => string.Create(CultureInfo.InvariantCulture,
            $"A {_gatewayMilliseconds / _calls:0.0} ms + B {_linkedMilliseconds / _calls:0.0} ms over {_calls} calls");
    }

    [GeneratedRegex(@"enter code\s+([A-Z]{4}-[A-Z]{4})")]
    private static partial Regex UserCodeLine();
}
