using Cerver.Relay.Cli;
using Cerver.Relay.Configuration;
using Cerver.Relay.Connect;
using Cerver.Relay.Daemon;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Cerver.Relay.Mcp;

/// <summary>
/// The relay's MCP server on its two transports. Both serve <see cref="RelayMcpTools"/> through
/// the SDK's low-level list/call handlers, and the tools reach the daemon through its local API:
/// on stdio (<c>cerver-relay mcp</c>) the daemon of this <c>CERVER_HOME</c>, found again on every
/// call; in the daemon (<c>/mcp</c>, behind the local API's guard) its own loopback URL.
/// </summary>
public static class McpServerSetup
{
    public const string Path = "/mcp";

    public static void Configure(McpServerOptions options, RelayMcpTools tools)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tools);
        options.ServerInfo = new Implementation { Name = "cerver-relay", Version = RelayVersion.Current };
        options.Handlers.ListToolsHandler = (_, _) => ValueTask.FromResult(new ListToolsResult { Tools = tools.Definitions });
        options.Handlers.CallToolHandler = (request, cancellationToken) =>
            tools.CallAsync(request.Params?.Name ?? "", request.Params?.Arguments, cancellationToken);
    }

    /// <summary>Serves the tools on stdin/stdout until the client closes stdin. Nothing but the protocol goes to stdout.</summary>
    public static async Task RunStdioAsync(RelaySettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var http = LoopbackHttp();
        var api = new RelayApiClient(http,
            () => new RelayApiEndpoint(DaemonClient.Locate(settings), LocalToken.TryRead(settings.Paths.TokenFile)),
            $"No relay is running for CERVER_HOME={settings.Paths.CerverHome}: start it with 'cerver-relay run' or 'cerver-relay service start'.");
        var options = new McpServerOptions();
        Configure(options, RelayMcpTools.Create(api, TimeProvider.System));
        await using var transport = new StdioServerTransport("cerver-relay", NullLoggerFactory.Instance);
        await using var server = McpServer.Create(transport, options, NullLoggerFactory.Instance);
        await server.RunAsync(cancellationToken);
    }

    /// <summary>The daemon's MCP server (Streamable HTTP, stateless), its tools calling the daemon's own API with its local token.</summary>
    public static IServiceCollection AddRelayMcp(this IServiceCollection services)
    {
        services.AddSingleton(provider =>
        {
            var state = provider.GetRequiredService<DaemonState>();
            var token = provider.GetRequiredService<LocalApiToken>();
            var api = new RelayApiClient(LoopbackHttp(),
                () => new RelayApiEndpoint(state.Url ?? throw new McpToolException("The relay is still starting; call again in a moment."), token.Value),
                "The relay's own API did not answer; see 'cerver-relay logs'.");
            return RelayMcpTools.Create(api, provider.GetRequiredService<TimeProvider>());
        });
        services.AddMcpServer().WithHttpTransport(transport => transport.Stateless = true);
        services.AddOptions<McpServerOptions>().Configure<RelayMcpTools>(Configure);
        return services;
    }

    /// <summary>Maps <c>/mcp</c>; the local API's guard in front of it asks for the bearer token and holds the Host and Origin rules.</summary>
    public static IEndpointConventionBuilder MapRelayMcp(this IEndpointRouteBuilder endpoints) => endpoints.MapMcp(Path);

    /// <summary>A client for the daemon on loopback: no proxy, and no overall timeout, since each call sets its own.</summary>
    private static HttpClient LoopbackHttp() => new(new SocketsHttpHandler { UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };
}
