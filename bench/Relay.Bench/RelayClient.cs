using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Cerver.Relay.Bench;

/// <summary>
/// The few calls the benchmark makes, over one reused keep-alive connection so connection
/// set-up never lands in a sample. Every call has a timeout; every non-success is an error,
/// since a number measured from a failing call would be meaningless.
/// </summary>
internal sealed class RelayClient : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;

    public RelayClient(Uri baseAddress, string token)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = RequestTimeout };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _http.DefaultRequestHeaders.ExpectContinue = false;
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
        var payload = JsonSerializer.Serialize(new Dictionary<string, string> { ["code"] = code }, BenchJsonContext.Default.DictionaryStringString);
        var started = Stopwatch.GetTimestamp();
        var (status, body) = await PostAsync($"sandbox/{sandboxId}/run", payload, cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Expect(status, HttpStatusCode.OK, $"POST /sandbox/{sandboxId}/run", body);
        using var document = JsonDocument.Parse(body);
        var exitCode = document.RootElement.GetProperty("exit_code").GetInt32();
        return exitCode == 0 ? elapsed : throw new BenchException($"the run of '{code}' exited with {exitCode}: {body}");
    }

    /// <summary>
    /// <c>POST /sandbox/{id}/run/stream</c> of code that prints <c>date +%s%N</c> first; returns
    /// the time in ms from that timestamp to this process reading the first <c>stdout</c>
    /// data line. The rest of the stream is read to its <c>exit</c> so the connection stays
    /// reusable.
    /// </summary>
    public async Task<double> FirstStreamedLineAsync(string sandboxId, string code, CancellationToken cancellationToken)
    {
        using var timeout = WithTimeout(cancellationToken);
        var payload = JsonSerializer.Serialize(new Dictionary<string, string> { ["code"] = code }, BenchJsonContext.Default.DictionaryStringString);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"sandbox/{sandboxId}/run/stream", UriKind.Relative))
        {
            Content = Content(payload),
        };
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            Expect(response.StatusCode, HttpStatusCode.OK, "POST /run/stream", await response.Content.ReadAsStringAsync(timeout.Token));
        }

        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string? currentEvent = null;
        long? receivedNs = null;
        string? printed = null;
        string? exit = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (receivedNs is null && currentEvent == "stdout" && line.StartsWith("data: ", StringComparison.Ordinal))
            {
                receivedNs = WallClock.NowNs();
                printed = line["data: ".Length..];
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                currentEvent = line["event: ".Length..];
            }
            else if (currentEvent is "exit" or "error" && line.StartsWith("data: ", StringComparison.Ordinal))
            {
                exit = currentEvent + " " + line["data: ".Length..];
                if (currentEvent == "error")
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

    public void Dispose() => _http.Dispose();

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
