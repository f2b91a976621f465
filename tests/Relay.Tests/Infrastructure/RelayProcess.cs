using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Cerver.Relay.Tests.Infrastructure;

/// <summary>
/// The real <c>cerver-relay</c> executable as a child process, for what only a separate
/// process shows: exit codes, signals, and a crash (<c>kill -9</c>) in the middle of work.
/// </summary>
public sealed class RelayProcess : IDisposable
{
    private readonly Process _process;

    private RelayProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public static string RelayDll => Path.Combine(AppContext.BaseDirectory, "cerver-relay.dll");

    /// <param name="executable">A published binary to run instead of the build's <c>cerver-relay.dll</c>.</param>
    public static async Task<RelayProcess> StartAsync(string cerverHome, int? port = null, IDictionary<string, string>? environment = null, string? executable = null)
    {
        var chosen = port ?? FreePort();
        var info = Command(cerverHome, ["run", "--port", chosen.ToString(System.Globalization.CultureInfo.InvariantCulture)], environment, executable);
        var process = Process.Start(info)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var relay = new RelayProcess(process, chosen);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < until)
        {
            Assert.False(process.HasExited, $"cerver-relay run exited with {(process.HasExited ? process.ExitCode : 0)}");
            try
            {
                using var response = await client.GetAsync($"http://127.0.0.1:{chosen}/healthz");
                if (response.IsSuccessStatusCode)
                {
                    return relay;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or still starting on a busy machine: ask again.
            }

            await Task.Delay(100);
        }

        relay.Kill();
        throw new TimeoutException("cerver-relay did not answer /healthz within 30 s");
    }

    /// <summary>Runs a CLI verb to completion and returns its exit code and output.</summary>
    public static Task<ChildProcess.Result> RunCliAsync(string cerverHome, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, string? executable = null) =>
        ChildProcess.RunAsync(Command(cerverHome, arguments, environment, executable), TimeSpan.FromSeconds(60));

    /// <summary>Starts a CLI verb and leaves it running, for a test that reads its output as it comes (a login waiting for approval, <c>logs -f</c>).</summary>
    public static CliRun StartCli(string cerverHome, IEnumerable<string> arguments, IDictionary<string, string>? environment = null) =>
        CliRun.Start(Command(cerverHome, arguments, environment, executable: null));

    public void Kill() => _process.Kill(entireProcessTree: false);

    /// <summary>Sends SIGTERM, as a service manager does to stop the daemon.</summary>
    public void Terminate() => Process.Start("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

    public async Task<int> WaitForExitAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    private static ProcessStartInfo Command(string cerverHome, IEnumerable<string> arguments, IDictionary<string, string>? environment, string? executable)
    {
        var info = new ProcessStartInfo(executable ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (executable is null)
        {
            info.ArgumentList.Add(RelayDll);
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["CERVER_HOME"] = cerverHome;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return info;
    }
}
