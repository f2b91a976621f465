using System.Net;
using Cerver.Gateway.Embedded.Sessions.Agents;
using Cerver.Gateway.Embedded;
using Cerver.Gateway.Embedded.Connect;
using Cerver.Gateway.Embedded.Provider;
using Cerver.Gateway.Embedded.Http;
using Cerver.Gateway.Embedded.Link;
using Cerver.Relay.Compute;
using Cerver.Relay.Compute.Sandboxes;
using Cerver.Relay.Compute.Storage;
using Cerver.Relay.Configuration;
using Cerver.Relay.Connect;
using Cerver.Relay.Dashboard;
using Cerver.Relay.Link;
using Cerver.Relay.Mcp;
using Cerver.Relay.Reports;
using Cerver.Relay.Update;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

using Serilog;
using Serilog.Events;

namespace Cerver.Relay.Daemon;

/// <summary>Options of the host itself, as opposed to the relay's settings.</summary>
public sealed record DaemonHostOptions
{
    public bool ConsoleLogging { get; init; } = true;
    public TimeProvider? Time { get; init; }

    /// <summary>Services to add last, e.g. a fixed link target for a test that has no login.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>The key releases must be signed with; tests pass their own.</summary>
    public UpdateTrust UpdateTrust { get; init; } = UpdateTrust.BuiltIn;
}

/// <summary>Builds the daemon: one Kestrel listener serving the local API, the compute contract and the embedded gateway.</summary>
public static class DaemonHost
{
    /// <summary>
    /// How much of a request the socket transport reads ahead of the handler, per connection
    /// (Kestrel's default: 1 MiB). Read-ahead sits in blocks of Kestrel's pinned pool, which hands
    /// blocks back only a few percent every 10 s and only to a later full collection: uploads
    /// waiting for their turn at <see cref="LargeBodyGate"/> each filled their 1 MiB, and a burst of
    /// them left 90 MB resident. A handler consumes a body as it arrives, so more read-ahead
    /// does not make loopback uploads faster.
    /// </summary>
    public const int ConnectionReadBufferBytes = 64 * 1024;

    public static WebApplication Build(RelaySettings settings, DaemonHostOptions? options = null)
    {
        options ??= new DaemonHostOptions();
        var paths = settings.Paths;
        FilePermissions.CreatePrivateDirectory(paths.CerverHome);
        FilePermissions.CreatePrivateDirectory(paths.RelayDirectory);
        FilePermissions.CreatePrivateDirectory(paths.LogsDirectory);
        var token = LocalToken.LoadOrCreate(paths.TokenFile);
        var identity = RelayIdentity.LoadOrCreate(paths.IdentityFile);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = paths.RelayDirectory });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = settings.MaxRequestBodyBytes;
            kestrel.Listen(ListenAddress(settings.Listen), settings.Port);
        });
        builder.WebHost.UseSockets(sockets => sockets.MaxReadBufferSize = ConnectionReadBufferBytes);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = settings.ShutdownGrace + TimeSpan.FromSeconds(5));
        // Each host owns its logger: left to the static Log.Logger, two daemons in one process
        // (the tests, an update's hand-off) would write to whichever was built last.
        builder.Services.AddSerilog(logging => ConfigureLogging(logging, paths, options.ConsoleLogging), preserveStaticLogger: true);
        if (options.Time is not null)
        {
            builder.Services.Replace(ServiceDescriptor.Singleton(options.Time));
        }

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddLocalCompute(compute =>
        {
            compute.RelayDirectory = paths.RelayDirectory;
            compute.ComputeId = identity.ComputeId;
            compute.Isolation = settings.Isolation;
            compute.MaxSandboxes = settings.MaxSandboxes;
            compute.Limits = settings.SandboxLimits;
            compute.Agents = settings.Agents;
        });
        builder.Services.AddEmbeddedGateway(gateway =>
        {
            gateway.HeartbeatInterval = settings.HeartbeatInterval;
            gateway.DevicePollIntervalSeconds = settings.DevicePollIntervalSeconds;
            gateway.MachineId = identity.MachineId;
            gateway.Label = identity.Label;
        });
        builder.Services.AddGatewayClient(settings.Gateway);
        builder.Services.AddSingleton<GatewayConnection>();
        builder.Services.AddSingleton(new AccountKey(settings.ApiKey));
        builder.Services.AddHostedService<GatewayRegistrationService>();
        builder.Services.AddSessionReports();
        var snapshot = new RelaySettingsSnapshot(settings);
        builder.Services.AddSingleton(snapshot);
        builder.Services.AddSingleton(identity);
        builder.Services.AddSingleton<DaemonState>();
        builder.Services.AddSingleton(new LocalApiToken(token));
        builder.Services.AddHostedService<ShutdownDrain>();
        builder.Services.AddHostedService<MemoryReclaimer>();
        builder.Services.AddRelayUpdates(settings, options.UpdateTrust);
        builder.Services.AddRelayMcp();
        builder.Services.AddDashboard();
        options.ConfigureServices?.Invoke(builder.Services);
        if (!settings.Offline)
        {
            builder.Services.AddConnectChannel();
        }

        builder.Services.TryAddSingleton<LinkState>();

        var app = builder.Build();
        app.UseMiddleware<ErrorHandlingMiddleware>();
        app.UseWebSockets();
        app.UseMiddleware<LocalApiGuard>(new LocalApiCredentials(token, app.Services.GetRequiredService<AccountKey>()), settings.Listen);
        app.MapRelayEndpoints();
        app.MapUpdateEndpoints();
        app.MapComputeApi();
        app.MapGatewayApi();
        app.MapAgentSessionApi();
        app.MapAccountApi();
        app.MapFleetApi();
        app.MapConnectChannel();
        app.MapProviderApi();
        app.MapRelayMcp();
        app.MapDashboard();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            IsolationWarning.Log(app.Services.GetRequiredService<LocalCompute>(), app.Services.GetRequiredService<Microsoft.Extensions.Logging.ILogger<LocalCompute>>());
            ListenWarning.Log(settings.Listen, settings.Port, app.Services.GetRequiredService<Microsoft.Extensions.Logging.ILogger<DaemonState>>());
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
            if (address is not null)
            {
                // Listening on every address, the daemon calls itself on loopback.
                app.Services.GetRequiredService<DaemonState>().Listen(new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "[::1]", StringComparison.Ordinal)));
            }
        });
        return app;
    }

    internal static IPAddress ListenAddress(string listen) =>
        listen == "localhost" ? IPAddress.Loopback : IPAddress.Parse(listen.Trim('[', ']'));

    private static void ConfigureLogging(LoggerConfiguration logging, RelayPaths paths, bool console)
    {
        // CERVER_LOG_LEVEL=debug shows what Information leaves out, such as the resilience
        // pipeline's line per HTTP attempt (Polly logs a successful attempt at Information: every
        // heartbeat would write two lines). A retried or failed attempt is a Warning and stays.
        var debug = string.Equals(Environment.GetEnvironmentVariable("CERVER_LOG_LEVEL"), "debug", StringComparison.OrdinalIgnoreCase);
        logging.MinimumLevel.Is(debug ? LogEventLevel.Debug : LogEventLevel.Information)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .MinimumLevel.Override("System.Net.Http.HttpClient", LogEventLevel.Warning)
            .MinimumLevel.Override("Polly", debug ? LogEventLevel.Debug : LogEventLevel.Warning)
            // The MCP SDK logs each request's handling at Information; the calls that matter
            // (runs, turns) are logged by the relay's own API they go through.
            .MinimumLevel.Override("ModelContextProtocol", debug ? LogEventLevel.Debug : LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .WriteTo.File(
                Path.Combine(paths.LogsDirectory, "relay-.log"),
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: 14,
                fileSizeLimitBytes: 10 * 1024 * 1024,
                rollOnFileSizeLimit: true,
                outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
        if (console)
        {
            logging.WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss} {Level:u3} {Message:lj}{NewLine}{Exception}", standardErrorFromLevel: LogEventLevel.Verbose);
        }
    }
}
