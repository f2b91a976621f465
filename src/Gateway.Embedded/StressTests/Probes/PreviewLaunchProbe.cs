using System.Globalization;
using System.Text.RegularExpressions;
using Cerver.Relay.Compute.Contract;

namespace Cerver.Gateway.Embedded.StressTests.Probes;

// A real HTTP server started inside the sandbox, and the time until it answers on
// loopback. Everything happens within one run, because the sandbox may have no network
// path to the host; the script picks a free port, starts `python3 -m http.server`,
// polls it, prints the elapsed milliseconds and stops the server.
internal sealed partial class PreviewLaunchProbe : LiveProbe
{
    private const int ReadyWithinSeconds = 30;

    private static readonly string Script = $$"""
        import socket, subprocess, sys, time, urllib.request
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        start = time.monotonic()
        server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                if server.poll() is not None:
                    sys.exit("the server exited with code %d before answering" % server.returncode)
                try:
                    with opener.open("http://127.0.0.1:%d/" % port, timeout=1) as answer:
                        answer.read()
                    break
                except OSError:
                    if time.monotonic() - start > {{ReadyWithinSeconds}}:
                        sys.exit("the server did not answer within {{ReadyWithinSeconds}} s")
                    time.sleep(0.005)
            print("ready_ms=%.3f" % ((time.monotonic() - start) * 1000))
        finally:
            server.terminate()
            server.wait(5)
        """;

    protected override async Task<ProbeSample> SampleAsync(LiveProbeContext context, SandboxRecord sandbox, long started, CancellationToken cancellationToken)
    {
        var run = await context.Compute.RunSandboxAsync(
            sandbox.SandboxId,
            new RunRequest { Code = Script, Language = "python", Timeout = ReadyWithinSeconds + 15 },
            cancellationToken);
        if (run.ExitCode != 0 || run.TimedOut)
        {
            return ProbeSample.FailedRun("preview server", run);
        }

        return ReadyMs().Match(run.Stdout) is { Success: true } match
            ? ProbeSample.Ok(double.Parse(match.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture))
            : ProbeSample.Failed("the preview script did not report ready_ms");
    }

    [GeneratedRegex(@"ready_ms=([0-9]+(?:\.[0-9]+)?)")]
    private static partial Regex ReadyMs();
}
