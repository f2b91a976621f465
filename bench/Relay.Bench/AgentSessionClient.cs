using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cerver.Relay.Bench;

/// <summary>
/// The agent-session calls of the agents part, made as the <c>cerver</c> CLI makes them: a v2
/// coding session pinned to the local compute, <c>/input</c>, <c>?since=</c> reads, and the
/// transcript's server-sent events. Calls share one keep-alive connection; each <c>/stream</c>
/// gets a connection of its own (it is left mid-body, so it cannot go back to a pool), opened
/// before anything is timed. Every call has a timeout.
/// </summary>
internal sealed class AgentSessionClient : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _calls;
    private readonly HttpClient _streams;

    public AgentSessionClient(RelayDaemon daemon)
    {
        var tokenPath = Path.Combine(daemon.Home, "relay", "local.token");
        var token = File.Exists(tokenPath) && File.ReadAllText(tokenPath).Trim() is { Length: > 0 } read
            ? read
            : throw new BenchException($"the {daemon.Isolation} relay wrote no token at {tokenPath}");
        var baseAddress = new Uri($"http://127.0.0.1:{daemon.Port.ToString(CultureInfo.InvariantCulture)}/");
        _calls = Create(baseAddress, token, connections: 1, RequestTimeout, drain: true);
        // The stream client's own timeout would cut a stream at a fixed age; each read has one instead.
        _streams = Create(baseAddress, token, connections: 4, Timeout.InfiniteTimeSpan, drain: false);
    }

    /// <summary><c>GET /v2/computes</c>: the first <c>cerver_local_provider</c> compute that is <c>ready</c>, as the CLI picks it.</summary>
    public async Task<string> LocalComputeAsync(CancellationToken cancellationToken)
    {
        var body = await GetAsync("v2/computes", cancellationToken);
        using var document = JsonDocument.Parse(body);
        foreach (var compute in document.RootElement.GetProperty("computes").EnumerateArray())
        {
            if (Text(compute, "provider") == "cerver_local_provider" && Text(compute, "status") == "ready" && Text(compute, "compute_id") is { } id)
            {
                return id;
            }
        }

        throw new BenchException($"GET /v2/computes listed no ready cerver_local_provider compute: {body}");
    }

    /// <summary><c>POST /v2/sessions</c> of a coding session for <paramref name="cliTool"/> on the compute; returns its id.</summary>
    public async Task<string> CreateSessionAsync(string computeId, string cliTool, CancellationToken cancellationToken)
    {
        var payload = new JsonObject
        {
            ["session_type"] = "coding",
            ["compute"] = new JsonObject { ["compute_id"] = computeId },
            ["workload"] = "coding",
            ["session_name"] = "relay-bench",
            ["metadata"] = new JsonObject { ["cli_tool"] = cliTool },
        }.ToJsonString();
        var body = await PostAsync("v2/sessions", payload, HttpStatusCode.OK, cancellationToken);
        using var document = JsonDocument.Parse(body);
        return Text(document.RootElement, "session_id") ?? throw new BenchException($"POST /v2/sessions returned no session_id: {body}");
    }

    /// <summary><c>GET /gateway/sessions/{id}</c>: the sandbox the session's turns run in.</summary>
    public async Task<string> SandboxOfAsync(string sessionId, CancellationToken cancellationToken)
    {
        var body = await GetAsync($"gateway/sessions/{sessionId}", cancellationToken);
        using var document = JsonDocument.Parse(body);
        return Text(document.RootElement, "sandbox_id") ?? throw new BenchException($"session {sessionId} has no sandbox: {body}");
    }

    /// <summary><c>POST /v2/sessions/{id}/input</c> of a user prompt, which starts a turn.</summary>
    public Task InputAsync(string sessionId, string prompt, CancellationToken cancellationToken) =>
        PostAsync($"v2/sessions/{sessionId}/input", new JsonObject { ["role"] = "user", ["content"] = prompt }.ToJsonString(), HttpStatusCode.OK, cancellationToken);

    /// <summary><c>GET /v2/sessions/{id}?since=N</c>: the entries after <paramref name="since"/>, each stamped with when its answer was read.</summary>
    public async Task<IReadOnlyList<SessionEntry>> ReadSinceAsync(string sessionId, long since, CancellationToken cancellationToken)
    {
        var body = await GetAsync($"v2/sessions/{sessionId}?since={since.ToString(CultureInfo.InvariantCulture)}", cancellationToken);
        // The entry is readable by then; parsing is the bench's own time.
        var receivedNs = WallClock.NowNs();
        using var document = JsonDocument.Parse(body);
        return [.. document.RootElement.GetProperty("transcript").EnumerateArray().Select(entry => SessionEntry.From(entry, receivedNs))];
    }

    /// <summary><c>GET /v2/sessions/{id}/stream?since=N</c>, open once its headers are in.</summary>
    public async Task<TranscriptStream> OpenStreamAsync(string sessionId, long since, CancellationToken cancellationToken)
    {
        using var timeout = WithTimeout(cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"v2/sessions/{sessionId}/stream?since={since.ToString(CultureInfo.InvariantCulture)}", UriKind.Relative));
        var response = await _streams.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            response.Dispose();
            throw new BenchException($"GET /v2/sessions/{sessionId}/stream answered {(int)response.StatusCode}: {body}");
        }

        return new TranscriptStream(response, new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token), Encoding.UTF8));
    }

    /// <summary><c>DELETE /v2/sessions/{id}</c>, which ends the session and deletes its sandbox.</summary>
    public async Task DeleteSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        using var timeout = WithTimeout(cancellationToken);
        using var response = await _calls.DeleteAsync(new Uri($"v2/sessions/{sessionId}", UriKind.Relative), timeout.Token);
        var body = await response.Content.ReadAsStringAsync(timeout.Token);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new BenchException($"DELETE /v2/sessions/{sessionId} answered {(int)response.StatusCode}: {body}");
        }
    }

    /// <summary><c>POST /sandbox/{id}/run</c> that must exit 0 (setting up, outside any timing).</summary>
    public async Task RunAsync(string sandboxId, string code, CancellationToken cancellationToken)
    {
        var body = await PostAsync($"sandbox/{sandboxId}/run", CodePayload(code), HttpStatusCode.OK, cancellationToken);
        using var document = JsonDocument.Parse(body);
        if (document.RootElement.GetProperty("exit_code").GetInt32() != 0)
        {
            throw new BenchException($"the run of '{code}' in {sandboxId} failed: {body}");
        }
    }

    /// <summary>
    /// <c>POST /sandbox/{id}/run/stream</c> read to its <c>exit</c> (which must be 0); returns when
    /// the request was sent and every <c>stdout</c> data line, each stamped with when it was read.
    /// </summary>
    public async Task<(long SentNs, IReadOnlyList<(string Line, long ReceivedNs)> Lines)> StreamRunAsync(string sandboxId, string code, CancellationToken cancellationToken)
    {
        using var timeout = WithTimeout(cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"sandbox/{sandboxId}/run/stream", UriKind.Relative))
        {
            Content = Content(CodePayload(code)),
        };
        var sentNs = WallClock.NowNs();
        using var response = await _calls.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new BenchException($"POST /sandbox/{sandboxId}/run/stream answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(timeout.Token)}");
        }

        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var lines = new List<(string, long)>();
        string? current = null;
        string? exit = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                current = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                var receivedNs = WallClock.NowNs();
                switch (current)
                {
                    case "stdout":
                        lines.Add((line["data: ".Length..], receivedNs));
                        break;
                    case "exit" or "error":
                        exit = current + " " + line["data: ".Length..];
                        break;
                }
            }
        }

        // Read to its end, so the connection goes back to the pool for the next call.
        return exit is not null && exit.StartsWith("exit ", StringComparison.Ordinal) && exit.Contains("\"exit_code\":0", StringComparison.Ordinal)
            ? (sentNs, lines)
            : throw new BenchException($"the streamed run of '{code}' did not exit with 0: {exit ?? "no exit event"}");
    }

    public void Dispose()
    {
        _calls.Dispose();
        _streams.Dispose();
    }

    private async Task<string> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var timeout = WithTimeout(cancellationToken);
        using var response = await _calls.GetAsync(new Uri(path, UriKind.Relative), timeout.Token);
        var body = await response.Content.ReadAsStringAsync(timeout.Token);
        return response.StatusCode == HttpStatusCode.OK ? body : throw new BenchException($"GET /{path} answered {(int)response.StatusCode}: {body}");
    }

    private async Task<string> PostAsync(string path, string payload, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        using var timeout = WithTimeout(cancellationToken);
        using var response = await _calls.PostAsync(new Uri(path, UriKind.Relative), Content(payload), timeout.Token);
        var body = await response.Content.ReadAsStringAsync(timeout.Token);
        return response.StatusCode == expected ? body : throw new BenchException($"POST /{path} answered {(int)response.StatusCode}, expected {(int)expected}: {body}");
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

    private static string CodePayload(string code) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["code"] = code }, BenchJsonContext.Default.DictionaryStringString);

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

    private static string? Text(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>One transcript entry as the bench read it, and the wall clock (ns) when it was read.</summary>
internal sealed record SessionEntry(long Seq, string Role, string Kind, string Content, long ReceivedNs)
{
    public static SessionEntry From(JsonElement entry, long receivedNs) => new(
        entry.GetProperty("seq").GetInt64(),
        entry.GetProperty("role").GetString() ?? "",
        entry.GetProperty("kind").GetString() ?? "",
        entry.GetProperty("content").GetString() ?? "",
        receivedNs);
}

/// <summary>An open <c>/v2/sessions/{id}/stream</c>: its <c>entry</c> events, read one at a time.</summary>
internal sealed class TranscriptStream(HttpResponseMessage response, StreamReader reader) : IDisposable
{
    /// <summary>The next entry, stamped with when its data line was read; throws at the stream's end or at its timeout.</summary>
    public async Task<SessionEntry> NextAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        string? current = null;
        while (await reader.ReadLineAsync(limit.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                current = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                // Stamped before parsing: the entry is in the bench's hands from this read on.
                var receivedNs = WallClock.NowNs();
                if (current == "entry")
                {
                    using var document = JsonDocument.Parse(line["data: ".Length..]);
                    return SessionEntry.From(document.RootElement, receivedNs);
                }

                if (current == "end")
                {
                    throw new BenchException($"the session's stream ended before the entry the bench waited for: {line}");
                }
            }
        }

        throw new BenchException("the session's stream closed before the entry the bench waited for");
    }

    public void Dispose()
    {
        reader.Dispose();
        response.Dispose();
    }
}
