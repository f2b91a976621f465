using System.Text.Json;
using System.Text.Json.Serialization;
using Cerver.Relay.Compute.Storage;

namespace Cerver.Relay.Update;

/// <summary>
/// <c>relay/update.json</c>: when releases were last checked, what is waiting, the swap that is
/// still on trial (so a version that does not come up can be rolled back) and how the last update ended.
/// </summary>
public sealed record UpdateState
{
    public DateTimeOffset? LastCheckAt { get; init; }
    public string? LastCheckError { get; init; }

    /// <summary>A newer release seen by the last check and not installed yet.</summary>
    public string? Available { get; init; }

    public PendingUpdate? Pending { get; init; }
    public UpdateResult? LastResult { get; init; }
}

/// <summary>The link points at <see cref="Version"/> now, but that version has not yet served <c>/healthz</c>.</summary>
public sealed record PendingUpdate(string Version, string? Previous, DateTimeOffset SwappedAt);

public sealed record UpdateResult(string Version, string Outcome, string? Reason, DateTimeOffset At)
{
    public const string Applied = "applied";
    public const string RolledBack = "rolled_back";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(UpdateState))]
public sealed partial class UpdateJsonContext : JsonSerializerContext;

/// <summary>Reads and rewrites <c>update.json</c> atomically; a damaged file reads as empty rather than blocking updates.</summary>
public sealed class UpdateStateStore(string path)
{
    private static readonly Lock Gate = new();

    public string Path { get; } = path;

    public UpdateState Read()
    {
        try
        {
            return File.Exists(Path) ? JsonSerializer.Deserialize(File.ReadAllText(Path), UpdateJsonContext.Default.UpdateState) ?? new UpdateState() : new UpdateState();
        }
        catch (Exception exception) when (exception is JsonException or IOException)
        {
            return new UpdateState();
        }
    }

    /// <summary>Re-reads the file and writes <paramref name="change"/>'s result, so two writers in one process never lose each other's fields.</summary>
    public UpdateState Update(Func<UpdateState, UpdateState> change)
    {
        lock (Gate)
        {
            var next = change(Read());
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            FilePermissions.WritePrivateFile(Path, JsonSerializer.Serialize(next, UpdateJsonContext.Default.UpdateState));
            return next;
        }
    }
}
