using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Cerver.Relay.Bench;

/// <summary>
/// The few calls the benchmark makes, over reused keep-alive connections (one, unless the
/// load part asks for more) so connection set-up never lands in a sample. Every call has a
/// timeout; every non-success is an error, since a number measured from a failing call would
/// be meaningless: the latency measurements throw, the <c>Try…</c> calls of the load part
/// return it as a <see cref="CallOutcome"/> to be counted.
/// </summary>
internal sealed partial class RelayClient : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A minimal shell session, as the session API tests create one; only <c>local</c> can execute it.</summary>
    private const string ShellSessionBody = """
        {"task": "Run a quick shell command", "workload": "general", "requirements": {"runtime": "shell", "timeout_minutes": 30}, "session_name": "relay-bench"}
        """;

    private readonly HttpClient _http;

    /// <summary>
    /// For transcript streams only: a stream is left mid-body, so its connection cannot go back to
    /// a pool; each gets one of its own, opened before anything is timed.
    /// </summary>
    private readonly HttpClient _streams;

    public RelayClient(Uri baseAddress, string token, int connections = 1)
    {
        _http = Create(baseAddress, token, connections, RequestTimeout, drain: true);
        // The stream client's own timeout would cut a stream at a fixed age; each read has one instead.
        _streams = Create(baseAddress, token, connections: 4, Timeout.InfiniteTimeSpan, drain: false);
    }

    /// <summary><c>POST /sandbox</c>; returns the new id and the client-side latency in ms.</summary>
    public async Task<(string SandboxId, double Milliseconds)> CreateSandboxAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var (status, body) = await PostAsync("sandbox", "{}", cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Expect(status, HttpStatusCode.Created, "POST /sandbox", body);
        using var document = JsonDocument.Parse(body);
        return (document.RootElement.GetProperty("sandbox_id").GetString() ?? throw new BenchException("POST /sandbox returned no sandbox_id"), elapsed);
    }

    public async Task DeleteSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        using var timeout = WithTimeout(cancellationToken);
        using var response = await _http.DeleteAsync(new Uri($"sandbox/{sandboxId}", UriKind.Relative), timeout.Token);
        Expect(response.StatusCode, HttpStatusCode.OK, $"DELETE /sandbox/{sandboxId}", await response.Content.ReadAsStringAsync(timeout.Token));
    }

    /// <summary><c>POST /sandbox/{id}/run</c> until the whole response is read; returns the latency in ms.</summary>
    public async Task<double> RunAsync(string sandboxId, string code, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var (status, body) = await PostAsync($"sandbox/{sandboxId}/run", CodePayload(code), cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Expect(status, HttpStatusCode.OK, $"POST /sandbox/{sandboxId}/run", body);
        using var document = JsonDocument.Parse(body);
        var exitCode = document.RootElement.GetProperty("exit_code").GetInt32();
        return exitCode == 0 ? elapsed : throw new BenchException($"the run of '{code}' exited with {exitCode}: {body}");
    }

    /// <summary><c>POST /gateway/sessions</c> of a minimal shell session; returns its id and the latency in ms.</summary>
    public async Task<(string SessionId, double Milliseconds)> CreateSessionAsync(CancellationToken cancellationToken)
    {
        var outcome = await TryCreateSessionAsync(cancellationToken);
        return outcome.Error is null ? (outcome.Value!, outcome.Milliseconds) : throw new BenchException($"POST /gateway/sessions failed: {outcome.Detail}");
    }

    /// <summary><c>POST /gateway/sessions</c>; a refusal, a timeout or a session not routed to <c>local</c> is returned as the outcome's error.</summary>
    public Task<CallOutcome> TryCreateSessionAsync(CancellationToken cancellationToken) =>
        TryPostAsync("POST /gateway/sessions", "gateway/sessions", ShellSessionBody, root =>
            root.GetProperty("provider").GetString() == "local" && root.GetProperty("status").GetString() == "ready"
                ? (root.GetProperty("session_id").GetString(), null)
                : (null, "session_not_local_ready"), cancellationToken);

    /// <summary><c>POST /gateway/sessions</c> of a minimal shell session pinned to one compute (a linked relay); returns its id.</summary>
    public async Task<string> CreateSessionOnAsync(string computeId, CancellationToken cancellationToken)
    {
        var body = $$"""{"task": "Run a quick shell command", "requirements": {"runtime": "shell"}, "session_name": "relay-bench", "target_compute_id": "{{JsonEncodedText.Encode(computeId)}}"}""";
        var outcome = await TryPostAsync("POST /gateway/sessions", "gateway/sessions", body, root =>
            root.GetProperty("compute_id").GetString() == computeId && root.GetProperty("status").GetString() == "ready"
                ? (root.GetProperty("session_id").GetString(), null)
                : (null, "session_not_on_target_ready"), cancellationToken);
        return outcome.Error is null ? outcome.Value! : throw new BenchException($"POST /gateway/sessions pinned to {computeId} failed: {outcome.Detail}");
    }

    /// <summary><c>GET /relay/status</c>: the dispatch link's state and this relay's compute id on its gateway.</summary>
    public async Task<(string? Link, string? ComputeId)> GatewayLinkAsync(CancellationToken cancellationToken)
    {
        using var timeout = WithTimeout(cancellationToken);
        using var response = await _http.GetAsync(new Uri("relay/status", UriKind.Relative), timeout.Token);
        var body = await response.Content.ReadAsStringAsync(timeout.Token);
        Expect(response.StatusCode, HttpStatusCode.OK, "GET /relay/status", body);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.TryGetProperty("gateway", out var gateway) && gateway.ValueKind == JsonValueKind.Object
            ? (Text(gateway, "link"), Text(gateway, "compute_id"))
            : (null, null);
    }

    /// <summary>
    /// <c>POST /gateway/sessions/{id}/run/stream</c> of code that must print exactly
    /// <paramref name="expectedBytes"/> bytes without a newline; returns the throughput in MB/s
    /// (10^6 bytes) of stdout data from sending the request to reading the <c>exit</c> event.
    /// The stream is counted as it arrives, never kept.
    /// </summary>
    public async Task<double> SessionStreamThroughputAsync(string sessionId, string code, long expectedBytes, CancellationToken cancellationToken)
    {
        using var timeout = WithTimeout(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"gateway/sessions/{sessionId}/run/stream", UriKind.Relative))
        {
            Content = Content(CodePayload(code)),
        };
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            Expect(response.StatusCode, HttpStatusCode.OK, $"POST /gateway/sessions/{sessionId}/run/stream", await response.Content.ReadAsStringAsync(timeout.Token));
        }

        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        var counter = new StdoutEventCounter();
        var buffer = new byte[64 * 1024];
        int read;
        while (counter.EndEvent is null && (read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
        {
            counter.Feed(buffer.AsSpan(0, read));
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (counter.EndEvent != "exit" || !counter.EndData!.Contains("\"exit_code\":0", StringComparison.Ordinal))
        {
            throw new BenchException($"the streamed session run of '{code}' did not exit with 0: {counter.EndEvent ?? "no end event"} {counter.EndData}");
        }

        // Drain the blank line after the exit event, so the connection is reusable for the next sample.
        while (await stream.ReadAsync(buffer, timeout.Token) > 0)
        {
        }

        return counter.StdoutBytes == expectedBytes
            ? expectedBytes / 1e6 / seconds
            : throw new BenchException($"the streamed session run of '{code}' delivered {counter.StdoutBytes} stdout bytes, expected {expectedBytes}");
    }

    /// <summary><c>DELETE /gateway/sessions/{id}</c>, which also deletes its sandbox.</summary>
    public async Task DeleteSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        using var timeout = WithTimeout(cancellationToken);
        using var response = await _http.DeleteAsync(new Uri($"gateway/sessions/{sessionId}", UriKind.Relative), timeout.Token);
        Expect(response.StatusCode, HttpStatusCode.OK, $"DELETE /gateway/sessions/{sessionId}", await response.Content.ReadAsStringAsync(timeout.Token));
    }

    /// <summary><c>POST /gateway/sessions/{id}/run</c> until the whole response is read; returns the latency in ms.</summary>
    public async Task<double> SessionRunAsync(string sessionId, string code, CancellationToken cancellationToken)
    {
        var outcome = await TrySessionRunAsync(sessionId, code, expectedStdout: null, cancellationToken);
        return outcome.Error is null ? outcome.Milliseconds : throw new BenchException($"the session run of '{code}' failed: {outcome.Detail}");
    }

    /// <summary>
    /// <c>POST /gateway/sessions/{id}/run</c>; a refusal, a timeout, a non-zero exit or (when
    /// <paramref name="expectedStdout"/> is given) other output is returned as the outcome's error.
    /// </summary>
    public Task<CallOutcome> TrySessionRunAsync(string sessionId, string code, string? expectedStdout, CancellationToken cancellationToken) =>
        TryPostAsync($"POST /gateway/sessions/{sessionId}/run", $"gateway/sessions/{sessionId}/run", CodePayload(code), root =>
        {
            var result = root.GetProperty("result");
            return result.GetProperty("exit_code").GetInt32() != 0 ? (null, "nonzero_exit")
                : expectedStdout is not null && result.GetProperty("stdout").GetString() != expectedStdout ? (null, "wrong_output")
                : (null, null);
        }, cancellationToken);

    /// <summary>
    /// <c>POST /sandbox/{id}/run/stream</c> of code that prints <c>date +%s%N</c> first; returns
    /// the time in ms from that timestamp to this process reading the first <c>stdout</c>
    /// data line. The rest of the stream is read to its <c>exit</c> so the connection stays
    /// reusable.
    /// </summary>
    public async Task<double> FirstStreamedLineAsync(string sandboxId, string code, CancellationToken cancellationToken)
    {
        using var timeout = WithTimeout(cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"sandbox/{sandboxId}/run/stream", UriKind.Relative))
        {
            Content = Content(CodePayload(code)),
        };
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            Expect(response.StatusCode, HttpStatusCode.OK, "POST /run/stream", await response.Content.ReadAsStringAsync(timeout.Token));
        }

        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        var events = new EventLines(new StreamReader(stream, Encoding.UTF8));
        long? receivedNs = null;
        string? printed = null;
        string? exit = null;
        while (await events.NextAsync(timeout.Token) is { } line)
        {
            if (receivedNs is null && line.Event == "stdout")
            {
                receivedNs = line.ReceivedNs;
                printed = line.Data;
            }
            else if (line.Event is "exit" or "error")
            {
                exit = line.Event + " " + line.Data;
                if (line.Event == "error")
                {
                    throw new BenchException($"the streamed run failed: {exit}");
                }
            }
        }

        if (receivedNs is null || !long.TryParse(printed, NumberStyles.None, CultureInfo.InvariantCulture, out var printedNs))
        {
            throw new BenchException($"the streamed run printed no timestamp first (first stdout data: '{printed}', end: '{exit}')");
        }

        if (exit is null)
        {
            throw new BenchException("the streamed run ended without an exit event");
        }

        return (receivedNs.Value - printedNs) / 1e6;
    }

    /// <summary><c>POST /sandbox/{id}/run/stream</c> with a JSON body, left open for the caller to read its events.</summary>
    public async Task<StreamedRun> StartStreamAsync(string sandboxId, string payload, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"sandbox/{sandboxId}/run/stream", UriKind.Relative))
        {
            Content = Content(payload),
        };
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            response.Dispose();
            Expect(response.StatusCode, HttpStatusCode.OK, "POST /run/stream", body);
        }

        return new StreamedRun(response, new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken), Encoding.UTF8));
    }

    public void Dispose()
    {
        _http.Dispose();
        _streams.Dispose();
    }

    /// <param name="drain">
    /// False for streams: a transcript stream never ends while its session lives, and the
    /// handler would otherwise keep reading a dropped one for seconds to reuse its connection,
    /// so the daemon would go on writing every later entry to it as well.
    /// </param>
    private static HttpClient Create(Uri baseAddress, string token, int connections, TimeSpan timeout, bool drain)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        if (!drain)
        {
            handler.MaxResponseDrainSize = 0;
            handler.ResponseDrainTimeout = TimeSpan.Zero;
        }

        var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = timeout };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        client.DefaultRequestHeaders.ExpectContinue = false;
        return client;
    }

    private static string? Text(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string CodePayload(string code) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["code"] = code }, BenchJsonContext.Default.DictionaryStringString);

    /// <summary>
    /// Posts and times the call; <paramref name="check"/> reads a 200 answer and returns the
    /// value to keep and an error kind, null when the answer is what was asked for.
    /// </summary>
    private async Task<CallOutcome> TryPostAsync(string call, string path, string payload,
        Func<JsonElement, (string? Value, string? Error)> check, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        HttpStatusCode status;
        string body;
        try
        {
            (status, body) = await PostAsync(path, payload, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var kind = exception is OperationCanceledException ? "timeout" : "http_error";
            return CallOutcome.Failed(Stopwatch.GetElapsedTime(started).TotalMilliseconds, kind, $"{call}: {kind}: {exception.Message}");
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (status != HttpStatusCode.OK)
            {
                var code = document.RootElement.TryGetProperty("error", out var error) && error.TryGetProperty("code", out var value) ? value.GetString() : null;
                return CallOutcome.Failed(elapsed, $"{(int)status} {code ?? "no_error_code"}", $"{call} answered {(int)status}: {body}");
            }

            var (kept, failure) = check(document.RootElement);
            return failure is null ? new CallOutcome(elapsed, kept, null, null) : CallOutcome.Failed(elapsed, failure, $"{call}: {failure}: {body}");
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return CallOutcome.Failed(elapsed, $"{(int)status} unreadable_body", $"{call} answered {(int)status} with a body the bench could not read: {body}");
        }
    }

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string path, string payload, CancellationToken cancellationToken)
    {
        using var timeout = WithTimeout(cancellationToken);
        using var response = await _http.PostAsync(new Uri(path, UriKind.Relative), Content(payload), timeout.Token);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(timeout.Token));
    }

    private static ByteArrayContent Content(string payload)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(payload));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static CancellationTokenSource WithTimeout(CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(RequestTimeout);
        return source;
    }

    private static void Expect(HttpStatusCode actual, HttpStatusCode expected, string call, string body)
    {
        if (actual != expected)
        {
            throw new BenchException($"{call} answered {(int)actual} {actual}, expected {(int)expected}: {body}");
        }
    }
}

/// <summary>One timed call: its latency, the value it produced, or the kind of error (for counting) and the whole of it (for the report).</summary>
internal sealed record CallOutcome(double Milliseconds, string? Value, string? Error, string? Detail)
{
    public static CallOutcome Failed(double milliseconds, string error, string detail) => new(milliseconds, null, error, detail);
}
