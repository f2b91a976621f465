using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cerver.Relay.Bench;

/// <summary>
/// The calls of the agents part, made as the <c>cerver</c> CLI makes them: a v2 coding session
/// pinned to the local compute, <c>/input</c>, <c>?since=</c> reads and the transcript's
/// server-sent events; and the streamed plain run its baselines start.
/// </summary>
internal sealed partial class RelayClient
{
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
    public async Task<string> CreateAgentSessionAsync(string computeId, string cliTool, CancellationToken cancellationToken)
    {
        var payload = new JsonObject
        {
            ["session_type"] = "coding",
            ["compute"] = new JsonObject { ["compute_id"] = computeId },
            ["workload"] = "coding",
            ["session_name"] = "relay-bench",
            ["metadata"] = new JsonObject { ["cli_tool"] = cliTool },
        }.ToJsonString();
        var (status, body) = await PostAsync("v2/sessions", payload, cancellationToken);
        Expect(status, HttpStatusCode.OK, "POST /v2/sessions", body);
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
    public async Task InputAsync(string sessionId, string prompt, CancellationToken cancellationToken)
    {
        var (status, body) = await PostAsync($"v2/sessions/{sessionId}/input", new JsonObject { ["role"] = "user", ["content"] = prompt }.ToJsonString(), cancellationToken);
        Expect(status, HttpStatusCode.OK, $"POST /v2/sessions/{sessionId}/input", body);
    }

    /// <summary><c>GET /v2/sessions/{id}?since=N</c>: the entries after <paramref name="since"/>, each stamped with when its answer was read.</summary>
    public async Task<IReadOnlyList<SessionEntry>> ReadSinceAsync(string sessionId, long since, CancellationToken cancellationToken)
    {
        var body = await GetAsync($"v2/sessions/{sessionId}?since={since.ToString(CultureInfo.InvariantCulture)}", cancellationToken);
        // The entry is readable by then; parsing is the bench's own time.
        var receivedNs = WallClock.NowNs();
        using var document = JsonDocument.Parse(body);
        return [.. document.RootElement.GetProperty("transcript").EnumerateArray().Select(entry => SessionEntry.From(entry, receivedNs))];
    }

    /// <summary><c>GET /v2/sessions/{id}/stream?since=N</c>, open once its headers are in, on a connection of its own.</summary>
    public async Task<TranscriptStream> OpenStreamAsync(string sessionId, long since, CancellationToken cancellationToken)
    {
        using var timeout = WithTimeout(cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"v2/sessions/{sessionId}/stream?since={since.ToString(CultureInfo.InvariantCulture)}", UriKind.Relative));
        var response = await _streams.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            response.Dispose();
            Expect(response.StatusCode, HttpStatusCode.OK, $"GET /v2/sessions/{sessionId}/stream", body);
        }

        return new TranscriptStream(response, new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token), Encoding.UTF8));
    }

    /// <summary><c>DELETE /v2/sessions/{id}</c>, which ends the session and deletes its sandbox.</summary>
    public async Task DeleteAgentSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        using var timeout = WithTimeout(cancellationToken);
        using var response = await _http.DeleteAsync(new Uri($"v2/sessions/{sessionId}", UriKind.Relative), timeout.Token);
        Expect(response.StatusCode, HttpStatusCode.OK, $"DELETE /v2/sessions/{sessionId}", await response.Content.ReadAsStringAsync(timeout.Token));
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
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            Expect(response.StatusCode, HttpStatusCode.OK, $"POST /sandbox/{sandboxId}/run/stream", await response.Content.ReadAsStringAsync(timeout.Token));
        }

        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        var events = new EventLines(new StreamReader(stream, Encoding.UTF8));
        var lines = new List<(string, long)>();
        string? exit = null;
        while (await events.NextAsync(timeout.Token) is { } line)
        {
            switch (line.Event)
            {
                case "stdout":
                    lines.Add((line.Data, line.ReceivedNs));
                    break;
                case "exit" or "error":
                    exit = line.Event + " " + line.Data;
                    break;
            }
        }

        // Read to its end, so the connection goes back to the pool for the next call.
        return exit is not null && exit.StartsWith("exit ", StringComparison.Ordinal) && exit.Contains("\"exit_code\":0", StringComparison.Ordinal)
            ? (sentNs, lines)
            : throw new BenchException($"the streamed run of '{code}' did not exit with 0: {exit ?? "no exit event"}");
    }

    private async Task<string> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var timeout = WithTimeout(cancellationToken);
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative), timeout.Token);
        var body = await response.Content.ReadAsStringAsync(timeout.Token);
        Expect(response.StatusCode, HttpStatusCode.OK, $"GET /{path}", body);
        return body;
    }
}
