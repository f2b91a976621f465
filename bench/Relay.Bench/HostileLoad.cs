using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Cerver.Relay.Bench;

/// <summary>
/// The hostile part: a bounded mix of requests no client should send — bodies near and over the
/// 16 MiB cap, 10 MB JSON strings, deep nesting, malformed JSON and wrong types, unknown routes,
/// wrong methods, broken escapes, hostile Host and Origin headers, bad run/stream bodies — from
/// up to 200 clients at once, with slow-header connections beside them. It reports the daemon's
/// RSS at idle, at its peak and 30 s after the mix, the latencies, and every 5xx or error
/// without the SPEC's JSON body. Loopback only; every request has a timeout.
/// </summary>
internal sealed class HostileLoad(TextWriter progress)
{
    private const int Clients = 200;
    private const int SlowClients = 20;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SlowHeaderSpan = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    private sealed record Outcome(string Kind, int Status, bool JsonError, double Milliseconds);

    private delegate Task<Outcome> Attempt(CancellationToken cancellationToken);

    public async Task<IReadOnlyList<MeasurementResult>> RunAsync(RelayDaemon daemon, List<string> notes, CancellationToken cancellationToken)
    {
        var token = (await File.ReadAllTextAsync(Path.Combine(daemon.Home, "relay", "local.token"), cancellationToken)).Trim();
        var baseUrl = new Uri($"http://127.0.0.1:{daemon.Port.ToString(CultureInfo.InvariantCulture)}/");
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Clients, UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(5) })
        {
            BaseAddress = baseUrl,
            Timeout = RequestTimeout,
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var sandbox = (await daemon.Client.CreateSandboxAsync(cancellationToken)).SandboxId;
        var session = (await daemon.Client.CreateSessionAsync(cancellationToken)).SessionId;

        await Task.Delay(Settle, cancellationToken);
        var idle = daemon.Memory();
        progress.WriteLine($"  hostile: idle VmRSS {idle.ResidentBytes / 1e6:0.0} MB; sending the mix from {Clients} clients");

        var attempts = Mix(http, baseUrl, token, sandbox, session);
        var outcomes = new ConcurrentBag<Outcome>();
        using var sampling = new CancellationTokenSource();
        var peakTask = LoadTest.SamplePeakAsync(daemon, sampling.Token);
        var started = Stopwatch.GetTimestamp();
        var slow = Enumerable.Range(0, SlowClients).Select(_ => SlowHeadersAsync(baseUrl, cancellationToken)).ToList();
        await Parallel.ForEachAsync(attempts, new ParallelOptions { MaxDegreeOfParallelism = Clients, CancellationToken = cancellationToken },
            async (attempt, token) => outcomes.Add(await attempt(token)));
        var slowClosed = await Task.WhenAll(slow);
        var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await sampling.CancelAsync();
        var peak = await peakTask;

        progress.WriteLine($"  hostile: {outcomes.Count} requests in {wall:0.0} s; idle for {Recovery.TotalSeconds:0} s");
        await Task.Delay(Recovery, cancellationToken);
        var after = daemon.Memory();

        var all = outcomes.ToList();
        var serverErrors = all.Count(o => o.Status >= 500);
        var bare = all.Where(o => o.Status >= 400 && !o.JsonError).ToList();
        foreach (var group in all.GroupBy(o => o.Kind).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var statuses = string.Join(", ", group.GroupBy(o => o.Status).OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Count()}"));
            notes.Add($"hostile: {group.Key}: {statuses}");
        }

        notes.Add($"hostile: {all.Count} requests in {wall:0.0} s; {SlowClients} slow-header connections, {slowClosed.Count(closed => closed)} closed by the daemon within {SlowHeaderSpan.TotalSeconds:0} s; "
            + $"VmHWM {after.PeakResidentBytes / 1e6:0.0} MB; RssAnon idle {idle.AnonymousBytes / 1e6:0.0}, peak {peak.AnonymousBytes / 1e6:0.0}, after {after.AnonymousBytes / 1e6:0.0} MB");
        var none = new Target.None();
        return
        [
            MeasurementResult.From("hostile: latency, every request", "ms", [.. all.Select(o => o.Milliseconds)], none),
            MeasurementResult.From("hostile: 5xx answers", ResultTable.Count, [serverErrors], new Target.AtMost(0)),
            MeasurementResult.From("hostile: errors without a JSON body", ResultTable.Count, [bare.Count], new Target.AtMost(0)),
            MeasurementResult.From("hostile: VmRSS idle before", "MB", [idle.ResidentBytes / 1e6], none),
            MeasurementResult.From("hostile: VmRSS peak (sampled every 100 ms)", "MB", [peak.ResidentBytes / 1e6], new Target.AtMost(250)),
            MeasurementResult.From($"hostile: VmRSS {Recovery.TotalSeconds:0} s after", "MB", [after.ResidentBytes / 1e6], new Target.AtMost(idle.ResidentBytes / 1e6 + 30)),
        ];
    }

    /// <summary>The requests, interleaved by kind so big and small ones overlap as they would from many clients.</summary>
    private static List<Attempt> Mix(HttpClient http, Uri baseUrl, string token, string sandbox, string session)
    {
        var nearCap = Json($"{{\"path\": \"near-cap.txt\", \"content\": \"{new string('a', 15 * 1024 * 1024)}\"}}");
        var hugePath = Json($"{{\"path\": \"{new string('p', 10_000_000)}\", \"content\": \"x\"}}");
        var overCap = Json($"{{\"path\": \"over.txt\", \"content\": \"{new string('a', 17 * 1024 * 1024)}\"}}");
        var deep = Json("{\"code\": " + new string('[', 100_000) + new string(']', 100_000) + "}");
        string[] badRuns = ["{\"code\": ", "not json", "[1]", "{\"code\": 12}", "{\"code\": \"\"}", "{\"code\": \"true\", \"timeout\": -1}",
            "{\"code\": \"true\", \"env\": {\"A\": 1}}", "{\"code\": \"true\", \"cwd\": \"../..\"}", "{\"code\": \"true\", \"language\": \"cobol\"}", "null"];
        string[] unknown = ["/nope", "/sandbox/x/y/z", "/gateway/nothing", "/v2/zzz", "/.env", "/admin"];
        (string Method, string Path)[] wrongMethods = [("DELETE", "/sandbox"), ("PATCH", "/sandbox/x"), ("PUT", "/healthz"), ("GET", "/sandbox/x/run")];
        string[] malformed = ["/sandbox/%zz", "/sandbox/%", "/sandbox/%c0%af", "/sandbox/%01", "/sandbox?limit=%G1"];
        string[] hosts = ["localhost:99999", "localhost:0", "evil.example", "127.0.0.1:65536"];

        var kinds = new List<List<Attempt>>
        {
            Repeat(40, i => Send(http, "near-cap body", HttpMethod.Put, $"sandbox/{sandbox}/files", nearCap)),
            Repeat(40, i => Send(http, "10 MB path string", HttpMethod.Put, $"sandbox/{sandbox}/files", hugePath)),
            Repeat(40, i => Send(http, "over-cap body", HttpMethod.Put, $"sandbox/{sandbox}/files", overCap)),
            Repeat(100, i => Send(http, "deep nesting", HttpMethod.Post, $"sandbox/{sandbox}/run", deep)),
            Repeat(300, i => Send(http, "malformed or mistyped JSON", HttpMethod.Post, $"sandbox/{sandbox}/run", Json(badRuns[i % 4]))),
            Repeat(300, i => Send(http, "bad run/stream body", HttpMethod.Post,
                i % 2 == 0 ? $"sandbox/{sandbox}/run/stream" : $"gateway/sessions/{session}/run/stream", Json(badRuns[i % badRuns.Length]))),
            Repeat(1000, i => Send(http, "unknown route", HttpMethod.Get, unknown[i % unknown.Length].TrimStart('/'), null)),
            Repeat(500, i => Send(http, "wrong method", new HttpMethod(wrongMethods[i % wrongMethods.Length].Method), wrongMethods[i % wrongMethods.Length].Path.TrimStart('/'), null)),
            Repeat(300, i => Raw(baseUrl, "malformed path", "GET", malformed[i % malformed.Length], "127.0.0.1", token)),
            Repeat(200, i => Raw(baseUrl, "hostile Host", "POST", "/v2/auth/device", hosts[i % hosts.Length], null)),
            Repeat(200, i => WithOrigin(http, i % 2 == 0 ? "https://evil.example" : "null")),
        };
        var mixed = new List<Attempt>();
        for (var i = 0; kinds.Any(kind => i < kind.Count); i++)
        {
            mixed.AddRange(kinds.Where(kind => i < kind.Count).Select(kind => kind[i]));
        }

        return mixed;
    }

    private static List<Attempt> Repeat(int count, Func<int, Attempt> make) => [.. Enumerable.Range(0, count).Select(make)];

    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);

    private static Attempt Send(HttpClient http, string kind, HttpMethod method, string path, byte[]? body) => async cancellationToken =>
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        return await TimedAsync(kind, http, request, cancellationToken);
    };

    private static Attempt WithOrigin(HttpClient http, string origin) => async cancellationToken =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "sandbox");
        request.Headers.Add("Origin", origin);
        return await TimedAsync("hostile Origin", http, request, cancellationToken);
    };

    private static async Task<Outcome> TimedAsync(string kind, HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var json = response.Content.Headers.ContentType?.MediaType == "application/json" && body.Contains("\"error\"", StringComparison.Ordinal);
            return new Outcome(kind, (int)response.StatusCode, json, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or TaskCanceledException)
        {
            // The daemon closed the connection (as it may after refusing an over-cap body mid-upload).
            return new Outcome(kind + " (connection closed)", 0, true, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>A request written by hand, for what HttpClient would normalize or refuse to send.</summary>
    private static Attempt Raw(Uri baseUrl, string kind, string method, string target, string host, string? token) => async cancellationToken =>
    {
        var started = Stopwatch.GetTimestamp();
        using var client = new TcpClient();
        await client.ConnectAsync(baseUrl.Host, baseUrl.Port, cancellationToken);
        var head = $"{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n"
            + (token is null ? "" : $"Authorization: Bearer {token}\r\n")
            + (method == "POST" ? "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}" : "\r\n");
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        var text = await new StreamReader(stream, Encoding.UTF8).ReadToEndAsync(timeout.Token);
        var status = int.Parse(text.Split(' ', 3)[1], CultureInfo.InvariantCulture);
        var json = text.Contains("Content-Type: application/json", StringComparison.OrdinalIgnoreCase) && text.Contains("\"error\"", StringComparison.Ordinal);
        return new Outcome(kind, status, json, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    };

    /// <summary>Slowloris: a header byte every second for a bounded time; true when the daemon closed the connection first.</summary>
    private static async Task<bool> SlowHeadersAsync(Uri baseUrl, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(baseUrl.Host, baseUrl.Port, cancellationToken);
        var stream = client.GetStream();
        var bytes = Encoding.ASCII.GetBytes("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + new string('a', 64));
        var deadline = Stopwatch.GetTimestamp() + (long)(SlowHeaderSpan.TotalSeconds * Stopwatch.Frequency);
        try
        {
            for (var i = 0; i < bytes.Length && Stopwatch.GetTimestamp() < deadline; i++)
            {
                await stream.WriteAsync(bytes.AsMemory(i, 1), cancellationToken);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
        catch (IOException)
        {
            return true;
        }

        return false;
    }
}
