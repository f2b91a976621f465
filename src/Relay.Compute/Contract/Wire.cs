using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Cerver.Relay.Compute.Contract;

public sealed record CreateSandboxRequest
{
    public string? Runtime { get; init; }
    public Dictionary<string, string>? Env { get; init; }
    public int? TimeoutMinutes { get; init; }
    public bool? Network { get; init; }
    public JsonObject? Metadata { get; init; }
}

public sealed record SandboxRecord
{
    public required string SandboxId { get; init; }
    public string Provider { get; init; } = "local";
    public required string ComputeId { get; init; }
    public required string Status { get; init; }
    public required string Runtime { get; init; }
    public required string Isolation { get; init; }
    public required bool Network { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public JsonObject Metadata { get; init; } = [];
    public SandboxLimits? Limits { get; init; }
}

/// <summary>
/// The bounds a sandbox runs under. <c>EnforcedBy</c> is <c>cgroup</c> (memory and processes
/// for the sandbox as a whole) or <c>rlimit</c> (memory per process, processes per sandbox
/// user); the workspace size is always enforced by the daemon.
/// </summary>
public sealed record SandboxLimits(long MemoryBytes, int Processes, long WorkspaceBytes, long FileSizeBytes, string EnforcedBy);

public sealed record SandboxList(IReadOnlyList<SandboxRecord> Sandboxes);

public sealed record RunRequest
{
    public string? Code { get; init; }
    public string? Language { get; init; }
    public string? Cwd { get; init; }
    public Dictionary<string, string>? Env { get; init; }
    public string? Stdin { get; init; }
    public double? Timeout { get; init; }
}

public sealed record RunResult
{
    public required string SandboxId { get; init; }
    public required int ExitCode { get; init; }
    public required string Stdout { get; init; }
    public required string Stderr { get; init; }
    public required long DurationMs { get; init; }
    public required bool TimedOut { get; init; }
    public required bool Truncated { get; init; }
}

/// <summary>What started a run in a sandbox.</summary>
public enum RunKind
{
    [JsonStringEnumMemberName("run")] Run,
    [JsonStringEnumMemberName("stream")] Stream,
    [JsonStringEnumMemberName("install")] Install,
    [JsonStringEnumMemberName("agent_turn")] AgentTurn,
}

public enum RunStatus
{
    [JsonStringEnumMemberName("running")] Running,
    [JsonStringEnumMemberName("exited")] Exited,
    [JsonStringEnumMemberName("stopped")] Stopped,
}

/// <summary>One of a sandbox's latest runs (<c>GET /sandbox/{id}/runs</c>): what it was, when, and how it ended.</summary>
public sealed record SandboxRun(RunKind Kind, string Summary, DateTimeOffset StartedAt, RunStatus Status)
{
    public int? ExitCode { get; init; }
    public long? DurationMs { get; init; }
    public bool? TimedOut { get; init; }
    public string? StopReason { get; init; }
}

public sealed record SandboxRunList(string SandboxId, IReadOnlyList<SandboxRun> Runs);

/// <summary>One event of a streamed run: one accepted, output chunks, then exactly one exit.</summary>
public abstract record RunStreamEvent;

/// <summary>
/// The first event of every stream: the compute checked the sandbox and the request. Every
/// refusal is thrown before it, so a consumer that waits for it before answering its own
/// caller (an HTTP status, a session's record) never commits to a run that was refused.
/// </summary>
public sealed record RunAcceptedEvent : RunStreamEvent;

public sealed record RunOutputEvent(OutputKind Kind, string Text) : RunStreamEvent;

public sealed record RunExitEvent(int ExitCode, long DurationMs, bool TimedOut) : RunStreamEvent;

public enum OutputKind
{
    Stdout,
    Stderr,
}

/// <summary>The data of a stream's <c>exit</c> event.</summary>
public sealed record RunExitPayload(int ExitCode, long DurationMs, bool TimedOut);

public sealed record InstallPackageRequest
{
    public string? Manager { get; init; }
    public List<string>? Packages { get; init; }
}

public sealed record WriteFileRequest
{
    public string? Path { get; init; }
    public string? Content { get; init; }
    public string? Encoding { get; init; }
    public JsonNode? Mode { get; init; }
}

public sealed record WriteFileResult(string Path, long Size);

public enum FileEncoding
{
    Utf8,
    Base64,
}

public sealed record ReadFileResult(string Path, string Content, string Encoding, long Size);

public sealed record SandboxState(string SandboxId, string Status, JsonObject State, DateTimeOffset? UpdatedAt);

public sealed record SetStateRequest
{
    public JsonNode? State { get; init; }
}

public sealed record DeleteSandboxResult(string SandboxId, string Status);

public sealed record ErrorBody(ErrorDetail Error);

public sealed record ErrorDetail(string Code, string Message);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DictionaryKeyPolicy = JsonKnownNamingPolicy.Unspecified,
    UseStringEnumConverter = true,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(CreateSandboxRequest))]
[JsonSerializable(typeof(SandboxRecord))]
[JsonSerializable(typeof(SandboxList))]
[JsonSerializable(typeof(RunRequest))]
[JsonSerializable(typeof(RunResult))]
[JsonSerializable(typeof(SandboxRunList))]
[JsonSerializable(typeof(RunExitPayload))]
[JsonSerializable(typeof(InstallPackageRequest))]
[JsonSerializable(typeof(WriteFileRequest))]
[JsonSerializable(typeof(WriteFileResult))]
[JsonSerializable(typeof(ReadFileResult))]
[JsonSerializable(typeof(SandboxState))]
[JsonSerializable(typeof(SetStateRequest))]
[JsonSerializable(typeof(DeleteSandboxResult))]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(JsonObject))]
public sealed partial class ComputeJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context the HTTP layer writes with: responses are <c>application/json</c>, never
    /// HTML, so quotes and apostrophes in messages can stay readable.
    /// </summary>
    private static ComputeJsonContext? s_wire;

    // Built on first use: a static initializer would run before the generated Default exists.
    public static ComputeJsonContext Wire => s_wire ??= new(new System.Text.Json.JsonSerializerOptions(Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
