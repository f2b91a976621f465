using System.Net.Http.Json;
using Cerver.Relay.Daemon;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cerver.Relay.Update;

/// <summary>
/// Ends an update's trial: once this daemon has bound its listener it asks its own
/// <c>/healthz</c>, and only an answer from this very version confirms the update.
/// </summary>
public sealed partial class UpdateConfirmation(Updater updater, DaemonState daemon, IHostApplicationLifetime lifetime, ILogger<UpdateConfirmation> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (updater.State.Read().Pending?.Version == RelayVersion.Current)
        {
            lifetime.ApplicationStarted.Register(() => _ = ConfirmAsync(lifetime.ApplicationStopping));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task ConfirmAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var http = new HttpClient { BaseAddress = await daemon.Listening.WaitAsync(cancellationToken), Timeout = TimeSpan.FromSeconds(10) };
            var health = await http.GetFromJsonAsync("/healthz", RelayJsonContext.Default.HealthReport, cancellationToken);
            if (health?.Version == RelayVersion.Current && updater.Confirm(RelayVersion.Current))
            {
                LogConfirmed(RelayVersion.Current);
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or InvalidOperationException or System.Text.Json.JsonException or IOException)
        {
            LogNotConfirmed(RelayVersion.Current, exception.Message);
        }
    }

    [LoggerMessage(LogLevel.Information, "Update to {Version} confirmed: this version serves /healthz")]
    private partial void LogConfirmed(string version);

    [LoggerMessage(LogLevel.Warning, "Could not confirm the update to {Version}: {Reason}")]
    private partial void LogNotConfirmed(string version, string reason);
}
