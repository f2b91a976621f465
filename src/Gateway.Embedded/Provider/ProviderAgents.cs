using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Provider.Wire;
using Cerver.Relay.Compute.Agents;
using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Compute.Sandboxes;
using Cerver.Relay.Compute.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cerver.Gateway.Embedded.Provider;

/// <summary>
/// The agents behind the hosted gateway's provider sandboxes (SPEC 11): each is a real sandbox
/// of this machine whose runs are turns of its coding agent, one at a time, each resuming the
/// CLI's own thread. What the agent is lives next to its workspace, so it survives a restart.
/// </summary>
public sealed partial class ProviderAgents(
    LocalCompute compute,
    AgentServices agents,
    ISessionReports reports,
    ILiveSessionEvents live,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<ProviderAgents> logger)
{
    public const string DefaultHarness = "claude";

    private readonly ConcurrentDictionary<string, byte> _running = new(StringComparer.Ordinal);

    public async Task<(SandboxRecord Sandbox, ProviderAgentRecord Agent)> CreateAsync(ProviderSandboxRequest request, CancellationToken cancellationToken)
    {
        var metadata = request.Metadata ?? [];
        if (request.TimeoutMs is <= 0)
        {
            throw ComputeException.Invalid("timeout_ms", "must be above 0");
        }

        var agent = new ProviderAgentRecord
        {
            Harness = Harness(Text(metadata, "cli_tool") ?? DefaultHarness, "metadata.cli_tool"),
            Model = Text(metadata, "cli_model"),
            AgentsMd = Text(metadata, "agents_md"),
            Env = Env(metadata),
            CerverSessionId = Text(metadata, "cerver_session_id"),
            CompleteOnExit = Flag(metadata, "complete_on_exit"),
            TimeoutMs = request.TimeoutMs,
        };
        var bootstrap = Text(metadata, "bootstrap_prompt");
        var sandbox = await compute.CreateSandboxAsync(new CreateSandboxRequest { Metadata = (JsonObject)metadata.DeepClone() }, cancellationToken);
        Save(sandbox.SandboxId, agent);
        if (bootstrap is { Length: > 0 })
        {
            StartInBackground(sandbox.SandboxId, agent, bootstrap);
        }

        return (sandbox, agent);
    }

    /// <summary>
    /// One turn of the sandbox's agent. Refusals (an unknown sandbox, a turn already running) are
    /// thrown by this call or, for a turn that started in between, by the first <c>MoveNextAsync</c>,
    /// before any event; the events end with the turn's completion. The sandbox is taken only
    /// while the events are read, so a caller that never reads them holds nothing.
    /// </summary>
    public (string Action, IAsyncEnumerable<AgentEvent> Events) Run(string sandboxId, string prompt, TimeSpan? timeout, IReadOnlyDictionary<string, string>? envs, CancellationToken cancellationToken)
    {
        var agent = Find(sandboxId) ?? throw SandboxNotFound(sandboxId);
        if (IsRunning(sandboxId))
        {
            throw TurnRunning(sandboxId);
        }

        return (ActionOf(agent), TurnAsync(sandboxId, agent, prompt, timeout, envs, taken: false, cancellationToken));
    }

    /// <summary>
    /// Starts or resumes a turn and returns at once (the hosted gateway's agent input). An agent
    /// this relay no longer knows is recovered into a new sandbox when the caller names the
    /// CLI's thread to resume.
    /// </summary>
    public async Task<AgentInputResult> InputAsync(string agentId, AgentInputRequest input, CancellationToken cancellationToken)
    {
        var prompt = input.Input is { Length: > 0 } text ? text : throw ComputeException.Invalid("input", "is required");
        var agent = Find(agentId);
        if (agent is null)
        {
            if (input.CliSessionId is null)
            {
                throw SandboxNotFound(agentId);
            }

            var (sandbox, created) = await CreateAsync(new ProviderSandboxRequest
            {
                Metadata = new JsonObject { ["cli_tool"] = input.CliTool ?? DefaultHarness, ["cerver_session_id"] = input.CerverSessionId, ["recovered_from"] = agentId },
            }, cancellationToken);
            agentId = sandbox.SandboxId;
            agent = created with { CliSessionId = input.CliSessionId };
            Save(agentId, agent);
        }
        else if (input.CliTool is { } tool && Harness(tool, "cli_tool") != agent.Harness)
        {
            // Another CLI cannot resume this one's thread: it starts its own.
            agent = agent with { Harness = Harness(tool, "cli_tool"), CliSessionId = null };
            Save(agentId, agent);
        }

        var action = ActionOf(agent);
        StartInBackground(agentId, agent, prompt);
        return new AgentInputResult(true, action, agentId, agent.CliSessionId);
    }

    public ProviderAgentRecord? Find(string sandboxId)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(RecordPath(sandboxId)), ProviderJsonContext.Default.ProviderAgentRecord);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or JsonException or ArgumentException)
        {
            return null;
        }
    }

    public bool IsRunning(string sandboxId) => _running.ContainsKey(sandboxId);

    /// <summary>Takes the sandbox at once (a turn already running is refused to the caller), then runs the turn, which gives it back.</summary>
    private void StartInBackground(string sandboxId, ProviderAgentRecord agent, string prompt)
    {
        Take(sandboxId);
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var item in TurnAsync(sandboxId, agent, prompt, null, null, taken: true, lifetime.ApplicationStopping))
                {
                    if (item is AgentTurnCompleted { Outcome: not AgentTurnOutcome.Succeeded } failed)
                    {
                        LogTurnFailed(sandboxId, failed.Outcome, failed.Failure ?? "");
                    }
                }
            }
            catch (Exception exception) when (exception is ComputeException or OperationCanceledException)
            {
                LogTurnRefused(sandboxId, exception.Message);
            }
        }, CancellationToken.None);
    }

    /// <summary>
    /// The turn's events, each also reported to the agent's Cerver session when it has one; the
    /// report of the turn ends even when its events do not (a refusal, a reader that went away).
    /// </summary>
    private async IAsyncEnumerable<AgentEvent> TurnAsync(
        string sandboxId, ProviderAgentRecord agent, string prompt, TimeSpan? timeout, IReadOnlyDictionary<string, string>? envs, bool taken, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!taken)
        {
            Take(sandboxId);
        }

        var report = agent.CerverSessionId is { } session ? new ProviderTurnReport(reports, live, time, session, agent) : null;
        try
        {
            agent = agent with { TurnStartedAt = time.GetUtcNow() };
            Save(sandboxId, agent);
            report?.Started();
            var env = new Dictionary<string, string>(agent.Env ?? [], StringComparer.Ordinal);
            foreach (var (name, value) in envs ?? new Dictionary<string, string>())
            {
                env[name] = value;
            }

            var turn = new AgentTurn
            {
                Harness = agent.Harness,
                Prompt = prompt,
                CliSessionId = agent.CliSessionId,
                Model = agent.Model,
                SystemPrompt = agent.AgentsMd,
                Env = env,
                Timeout = timeout ?? (agent.TimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null),
            };
            await using var events = compute.RunAgentTurnAsync(sandboxId, turn, cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                try
                {
                    if (!await events.MoveNextAsync())
                    {
                        break;
                    }
                }
                catch (ComputeException refused)
                {
                    report?.Failed(refused.Message);
                    throw;
                }

                var item = events.Current;
                if (item is AgentSessionEvent { CliSessionId: { } thread } && thread != agent.CliSessionId)
                {
                    agent = agent with { CliSessionId = thread };
                    Save(sandboxId, agent);
                }

                report?.Observe(item);
                yield return item;
            }
        }
        finally
        {
            report?.Ended();
            TurnOver(sandboxId, report?.Metadata);
            _running.TryRemove(sandboxId, out _);
        }
    }

    /// <summary>
    /// After a restart: a turn a relay that died was running is over (its processes died with it).
    /// Its Cerver session is told so and given the turn's end, so it never waits on it.
    /// </summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        foreach (var sandbox in await compute.ListSandboxesAsync(cancellationToken))
        {
            if (Find(sandbox.SandboxId) is not { TurnStartedAt: { } startedAt } agent)
            {
                continue;
            }

            ProviderTurnReport? report = null;
            if (agent.CerverSessionId is { } session)
            {
                report = new ProviderTurnReport(reports, live, time, session, agent);
                report.Interrupted($"The relay stopped while this turn was running (it started {startedAt:u}), and the agent stopped with it. The entries above are what it did before; send the prompt again to continue.");
            }

            TurnOver(sandbox.SandboxId, report?.Metadata);
            LogTurnInterrupted(sandbox.SandboxId);
        }
    }

    /// <summary>Keeps what the turn reported with the agent and clears its running mark, unless the sandbox went away meanwhile (deleted during its turn).</summary>
    private void TurnOver(string sandboxId, JsonObject? reported)
    {
        if (Find(sandboxId) is { } current)
        {
            Save(sandboxId, current with { Reported = reported ?? current.Reported, TurnStartedAt = null });
        }
    }

    private void Take(string sandboxId)
    {
        if (!_running.TryAdd(sandboxId, 0))
        {
            throw TurnRunning(sandboxId);
        }
    }

    private static ComputeException TurnRunning(string sandboxId) =>
        new(ComputeErrorKind.Conflict, "turn_running", $"Sandbox {sandboxId} is in a turn already; send the next input when it has ended.");

    private void Save(string sandboxId, ProviderAgentRecord agent)
    {
        FilePermissions.CreatePrivateDirectory(compute.AgentStateOf(sandboxId));
        FilePermissions.WritePrivateFile(RecordPath(sandboxId), JsonSerializer.Serialize(agent, ProviderJsonContext.Default.ProviderAgentRecord));
    }

    private string RecordPath(string sandboxId) =>
        SandboxIds.IsWellFormed(sandboxId) ? Path.Combine(compute.AgentStateOf(sandboxId), "provider.json") : throw SandboxNotFound(sandboxId);

    private string Harness(string name, string field) =>
        agents.Harnesses.Find(name)?.Name ?? throw ComputeException.Invalid(field, $"'{name}' is not an agent this relay runs ({agents.Harnesses.Names})");

    private static string ActionOf(ProviderAgentRecord agent) => agent.CliSessionId is null ? "started" : "resumed";

    private static ComputeException SandboxNotFound(string sandboxId) =>
        new(ComputeErrorKind.NotFound, "sandbox_not_found", $"No provider sandbox '{sandboxId}' on this relay.");

    private static string? Text(JsonObject metadata, string name) => metadata[name] switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        _ => throw ComputeException.Invalid("metadata." + name, "must be a string"),
    };

    private static bool Flag(JsonObject metadata, string name) => metadata[name] switch
    {
        null => false,
        JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False => value.GetValue<bool>(),
        _ => throw ComputeException.Invalid("metadata." + name, "must be true or false"),
    };

    private static Dictionary<string, string>? Env(JsonObject metadata) => metadata["env"] switch
    {
        null => null,
        JsonObject env => env.ToDictionary(
            pair => pair.Key,
            pair => pair.Value is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : throw ComputeException.Invalid("metadata.env." + pair.Key, "must be a string"),
            StringComparer.Ordinal),
        _ => throw ComputeException.Invalid("metadata.env", "must be an object of strings"),
    };

    [LoggerMessage(LogLevel.Warning, "Provider sandbox {SandboxId}: the agent's turn ended {Outcome}: {Failure}")]
    private partial void LogTurnFailed(string sandboxId, AgentTurnOutcome outcome, string failure);

    [LoggerMessage(LogLevel.Warning, "Provider sandbox {SandboxId}: a turn was running when the relay stopped; closed it as interrupted")]
    private partial void LogTurnInterrupted(string sandboxId);

    [LoggerMessage(LogLevel.Warning, "Provider sandbox {SandboxId}: the agent's turn did not run: {Reason}")]
    private partial void LogTurnRefused(string sandboxId, string reason);
}
