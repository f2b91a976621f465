using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Cerver.Relay.Configuration;
using Cerver.Relay.Daemon;

namespace Cerver.Relay.Cli;

/// <summary>How CLI verbs talk to the running daemon: its local URL and token, one error sentence when it is not there.</summary>
public sealed class DaemonClient : IDisposable
{
    private readonly HttpClient _http;

    public DaemonClient(RelaySettings settings)
    {
        Url = settings.LocalUrl.ToString().TrimEnd('/');
        _http = new HttpClient { BaseAddress = settings.LocalUrl, Timeout = TimeSpan.FromSeconds(30) };
        if (LocalToken.TryRead(settings.Paths.TokenFile) is { } token)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public string Url { get; }

    public HttpClient Http => _http;

    /// <summary>Runs a verb's work against the daemon, turning its absence (exit 3) and its refusals into the CLI's error line.</summary>
    public static async Task<int> RunAsync(Func<DaemonClient, Task<int>> action)
    {
        if (!CliSettings.TryLoad(out var settings))
        {
            return CliOutput.Failed;
        }

        using var client = new DaemonClient(settings);
        try
        {
            return await action(client);
        }
        catch (DaemonUnavailableException exception)
        {
            CliOutput.Error(exception.Message);
            return CliOutput.NotRunning;
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
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
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
