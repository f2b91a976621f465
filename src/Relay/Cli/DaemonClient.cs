using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Cerver.Relay.Configuration;
using Cerver.Relay.Daemon;

namespace Cerver.Relay.Cli;

/// <summary>
/// How CLI verbs talk to the daemon of their <c>CERVER_HOME</c>: found through the runtime file it
/// writes (<c>relay/daemon.json</c>), else on the configured port; its token; one error sentence
/// when it is not there or does not answer in time.
/// </summary>
public sealed class DaemonClient : IDisposable
{
    /// <summary>How long one request to the daemon may take before the verb gives up, naming where it asked.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);

    private readonly HttpClient _http;

    public DaemonClient(RelaySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var url = Locate(settings);
        Url = url.ToString().TrimEnd('/');
        _http = new HttpClient { BaseAddress = url, Timeout = RequestTimeout };
        if (LocalToken.TryRead(settings.Paths.TokenFile) is { } token)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public string Url { get; }

    /// <summary>The URL of this home's daemon: the one its runtime file names while that process lives, else the configured port.</summary>
    public static Uri Locate(RelaySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return DaemonRuntimeFile.Read(settings.Paths) is { } runtime && Uri.TryCreate(runtime.Url, UriKind.Absolute, out var url)
            ? url
            : settings.LocalUrl;
    }

    public HttpClient Http => _http;

    /// <summary>Runs a verb's work against the daemon, turning its absence (exit 3) and its refusals into the CLI's error line.</summary>
    public static async Task<int> RunAsync(Func<DaemonClient, Task<int>> action)
    {
        var settings = CliSettings.Load();
        using var client = new DaemonClient(settings);
        try
        {
            return await action(client);
        }
        catch (DaemonUnavailableException exception)
        {
            CliOutput.Error(exception.Message);
            return ExitCodes.NotRunning;
        }
        catch (DaemonRefusedException exception)
        {
            return CliOutput.Error(exception.Message);
        }
    }

    /// <summary>GETs a JSON object, or throws <see cref="DaemonUnavailableException"/> / <see cref="DaemonRefusedException"/> with a sentence for the user.</summary>
    public Task<JsonObject> GetJsonAsync(string path, CancellationToken cancellationToken) => SendJsonAsync(HttpMethod.Get, path, null, cancellationToken);

    /// <summary>Sends a request with an optional JSON body and reads the JSON object it answers, failing like <see cref="GetJsonAsync"/>.</summary>
    public async Task<JsonObject> SendJsonAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
            if (body is not null)
            {
                request.Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
            }

            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliExitException($"the relay on {Url} did not answer within {RequestTimeout.TotalSeconds:0} s; see 'cerver-relay logs', or restart it ('cerver-relay service stop' then 'start').", ExitCodes.Unreachable);
        }
        catch (HttpRequestException)
        {
            throw new DaemonUnavailableException($"no relay answers on {Url}; start it with 'cerver-relay run' or 'cerver-relay service start'.");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var json = JsonNode.Parse(text) as JsonObject;
            if (!response.IsSuccessStatusCode)
            {
                throw new DaemonRefusedException(json?["error"]?["message"]?.GetValue<string>() ?? $"the relay answered {(int)response.StatusCode}");
            }

            return json ?? throw new DaemonRefusedException("the relay sent something that is not a JSON object");
        }
    }

    public void Dispose() => _http.Dispose();
}

public sealed class DaemonUnavailableException(string message) : Exception(message);

public sealed class DaemonRefusedException(string message) : Exception(message);
