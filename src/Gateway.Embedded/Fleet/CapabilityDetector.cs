using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Fleet.Wire;
using Cerver.Relay.Compute;
using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Runtimes;
using Cerver.Relay.Compute.Sandboxes;
using Microsoft.Extensions.Options;

namespace Cerver.Gateway.Embedded.Fleet;

/// <summary>
/// What this machine really offers, as a compute's capabilities: runtimes with versions,
/// agent CLIs on PATH, models of a running Ollama, isolation, CPUs, memory, sandbox limit.
/// Detected at most once a minute.
/// </summary>
public sealed class CapabilityDetector(RuntimeLocator runtimes, AgentInventory agents, LocalCompute compute, IOptions<ComputeOptions> options, TimeProvider time)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);
    private static readonly Uri OllamaTags = new("http://127.0.0.1:11434/api/tags");

    // Ollama is on this machine: never through a proxy, and a short wait when nothing listens.
    private static readonly HttpClient Ollama = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(1) };

    private readonly Lock _lock = new();
    private (Task<ComputeCapabilities> Detection, DateTimeOffset At)? _cached;

    public Task<ComputeCapabilities> DetectAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_cached is not { } cached || now - cached.At >= CacheFor || cached.Detection.IsFaulted)
            {
                cached = (DetectNowAsync(), now);
                _cached = cached;
            }

            return cached.Detection.WaitAsync(cancellationToken);
        }
    }

    private async Task<ComputeCapabilities> DetectNowAsync()
    {
        var found = await runtimes.GetAsync();
        var agentClis = await agents.DetectAsync(CancellationToken.None);
        return new ComputeCapabilities
        {
            Runtimes = found.Values.Where(runtime => runtime.Name != "npm").ToDictionary(
                runtime => runtime.Name == "sh" ? "shell" : runtime.Name,
                runtime => runtime.Version.Length > 0 ? runtime.Version : "available",
                StringComparer.Ordinal),
            // The agents a session here can run: the harnesses whose CLI is installed.
            CliTools = [.. agentClis.Where(agent => agent.Installed).Select(agent => agent.Name)],
            Agents = [.. agentClis.Select(agent => new AgentCapability(agent.Name, agent.Installed, agent.Version, agent.LoggedIn))],
            LocalModels = await OllamaModelsAsync(),
            Isolation = compute.IsolationName,
            Cpus = Environment.ProcessorCount,
            MemoryMb = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024),
            MaxSandboxes = options.Value.MaxSandboxes,
            Streaming = true,
            Persistence = true,
            PublicPreview = false,
        };
    }

    /// <summary>The operating system and architecture as the registration names them (<c>linux</c>/<c>darwin</c>, <c>x64</c>/<c>arm64</c>).</summary>
    public static (string Os, string Arch) Platform() =>
        (OperatingSystem.IsMacOS() ? "darwin" : OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsWindows() ? "windows" : "unknown",
         RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant());

    /// <summary><c>{"ollama": ["llama3.2:3b", …]}</c> when Ollama runs here, <c>{}</c> when it does not.</summary>
    private static async Task<JsonObject> OllamaModelsAsync()
    {
        try
        {
            var tags = await Ollama.GetFromJsonAsync(OllamaTags, FleetJsonContext.Default.JsonObject);
            var names = tags?["models"] is JsonArray models
                ? models.Select(model => model?["name"]?.GetValue<string>()).OfType<string>().Select(name => (JsonNode)name).ToArray()
                : [];
            return new JsonObject { ["ollama"] = new JsonArray(names) };
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or InvalidOperationException)
        {
            return [];
        }
    }
}
