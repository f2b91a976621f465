using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Cerver.Relay.Bench;

/// <summary>
/// One real <c>cerver-relay run</c> as a child process, with its own temporary
/// <c>CERVER_HOME</c> and isolation mode, and a keep-alive HTTP client bound to it.
/// Disposing kills the daemon (and anything it started) and deletes the home.
/// </summary>
internal sealed class RelayDaemon : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private const int TailLines = 40;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _tail = new();

    private RelayDaemon(string isolation, string home, int port, Process process)
    {
        Isolation = isolation;
        Home = home;
        Port = port;
        _process = process;
        _process.OutputDataReceived += (_, line) => Remember(line.Data);
        _process.ErrorDataReceived += (_, line) => Remember(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Isolation { get; }

    /// <summary>This daemon's <c>CERVER_HOME</c>.</summary>
    public string Home { get; }

    public int Port { get; }

    /// <summary>The daemon's own pid: <c>dotnet cerver-relay.dll</c> hosts the runtime in-process.</summary>
    public int ProcessId => _process.Id;

    public RelayClient Client { get; private set; } = null!;

    /// <param name="connections">How many keep-alive connections the client may open: 1 for latency, more for load.</param>
    /// <param name="home">A <c>CERVER_HOME</c> prepared by the caller (a logged-in relay's), or null for a fresh one; either is deleted on disposal.</param>
    /// <param name="environment">Settings on top of the isolation, such as a shorter heartbeat.</param>
    public static async Task<RelayDaemon> StartAsync(string relayDll, string isolation, int connections, CancellationToken cancellationToken,
        string? home = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var settings = new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { ["CERVER_ISOLATION"] = isolation };

        // A free port can be taken between probing and binding; a couple of retries cover that.
        for (var attempt = 1; ; attempt++)
        {
            var daemonHome = home ?? Directory.CreateTempSubdirectory($"cerver-bench-{isolation}-").FullName;
            var port = FreeLoopbackPort();
            var process = Process.Start(StartInfo(relayDll, ["run", "--port", port.ToString(CultureInfo.InvariantCulture)], daemonHome, settings))
                ?? throw new BenchException($"could not start dotnet {relayDll}");
            var daemon = new RelayDaemon(isolation, daemonHome, port, process);
            try
            {
                await daemon.WaitUntilHealthyAsync(cancellationToken);
                daemon.Client = new RelayClient(new Uri($"http://127.0.0.1:{port}/"), daemon.ReadToken(), connections);
                return daemon;
            }
            catch (BenchException) when (attempt < 3 && daemon.Tail.Contains("already in use", StringComparison.OrdinalIgnoreCase))
            {
                // The caller's home is kept for the next attempt.
                await daemon.StopAsync();
                if (home is null)
                {
                    daemon.DeleteHome();
                }
            }
            catch
            {
                await daemon.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>
    /// The daemon's memory now, from <c>/proc/&lt;pid&gt;/status</c>: <c>VmRSS</c> (all resident
    /// pages), <c>RssAnon</c> (its heaps and stacks, without the mapped runtime files) and
    /// <c>VmHWM</c> (the highest <c>VmRSS</c> since it started).
    /// </summary>
    public MemorySample Memory()
    {
        var fields = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            // "VmRSS:     51234 kB" — the kernel's kB are KiB.
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[(colon + 1)..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var kib, "kB"])
            {
                fields[line[..colon]] = long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
            }
        }

        long Field(string name) => fields.TryGetValue(name, out var bytes) ? bytes : throw new BenchException($"no {name} in /proc/{_process.Id}/status");
        return new MemorySample(Field("VmRSS"), Field("RssAnon"), Field("VmHWM"));
    }

    /// <summary>
    /// CPU time the daemon has used so far (user + system), in ms, from <c>/proc/&lt;pid&gt;/stat</c>;
    /// the kernel counts it in clock ticks, 10 ms on Linux.
    /// </summary>
    public double CpuMilliseconds()
    {
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        // The command name, field 2, is in parentheses and may hold spaces: count from after it.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        const double TickMilliseconds = 10;
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * TickMilliseconds;
    }

    public string Tail => string.Join('\n', _tail);

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        await StopAsync();
        _process.Dispose();
        DeleteHome();
    }

    private async Task StopAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (Exception exception) when (exception is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            await Console.Error.WriteLineAsync($"warning: could not stop the {Isolation} relay (pid {_process.Id}): {exception.Message}");
        }
    }

    private void DeleteHome() => DeleteHome(Home);

    /// <summary>Deletes a temporary home, warning instead of failing: the figures are already taken.</summary>
    public static void DeleteHome(string home)
    {
        try
        {
            Directory.Delete(home, recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"warning: could not delete {home}: {exception.Message}");
        }
    }

    /// <summary>
    /// <c>dotnet cerver-relay.dll ARGUMENTS</c> with this <c>CERVER_HOME</c> and these settings only:
    /// nothing of the caller's relay configuration may leak in.
    /// </summary>
    public static ProcessStartInfo StartInfo(string relayDll, IEnumerable<string> arguments, string home, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        info.ArgumentList.Add(relayDll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var name in info.Environment.Keys.Where(key => key.StartsWith("CERVER_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["CERVER_HOME"] = home;
        info.Environment["CERVER_AUTO_UPDATE"] = "0";
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return info;
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private async Task WaitUntilHealthyAsync(CancellationToken cancellationToken)
    {
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new BenchException($"the {Isolation} relay exited with code {_process.ExitCode} before it was healthy:\n{Tail}");
            }

            try
            {
                using var response = await probe.GetAsync(new Uri($"http://127.0.0.1:{Port}/healthz"), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Not listening yet.
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new BenchException($"the {Isolation} relay was not healthy within {StartTimeout.TotalSeconds:0} s:\n{Tail}");
    }

    private string ReadToken()
    {
        var path = Path.Combine(Home, "relay", "local.token");
        return File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } token
            ? token
            : throw new BenchException($"the {Isolation} relay is healthy but wrote no token at {path}");
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        _tail.Enqueue(line);
        while (_tail.Count > TailLines && _tail.TryDequeue(out _))
        {
        }
    }
}

/// <summary>One reading of a process's memory, in bytes.</summary>
internal sealed record MemorySample(long ResidentBytes, long AnonymousBytes, long PeakResidentBytes);
