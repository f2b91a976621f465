using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Cerver.Gateway.Embedded.Sessions;

/// <summary>The writes of the session store, inside one transaction that <see cref="SessionStore.Write"/> commits.</summary>
public sealed class SessionWrites(SqliteConnection connection, SqliteTransaction transaction)
{
    private readonly HashSet<string> _appendedTo = new(StringComparer.Ordinal);

    /// <summary>The sessions whose transcripts this batch added to: their readers are woken once it commits.</summary>
    public IReadOnlyCollection<string> AppendedTo => _appendedTo;

    public void Insert(SessionRecord session)
    {
        using var command = Command("""
            INSERT INTO sessions (session_id, session_name, status, provider, compute_id, sandbox_id, task, workload, routing, metadata,
                                  idle_timeout_minutes, predicted_startup_ms, created_at, updated_at, ended_at, turn_cursor)
            VALUES ($id, $name, $status, $provider, $compute, $sandbox, $task, $workload, $routing, $metadata, $idle, $predicted, $created, $updated, $ended, $cursor)
            """);
        Bind(command, session);
        command.ExecuteNonQuery();
    }

    public void Update(SessionRecord session)
    {
        using var command = Command("""
            UPDATE sessions SET session_name = $name, status = $status, provider = $provider, compute_id = $compute, sandbox_id = $sandbox,
                task = $task, workload = $workload, routing = $routing, metadata = $metadata, idle_timeout_minutes = $idle,
                predicted_startup_ms = $predicted, created_at = $created, updated_at = $updated, ended_at = $ended, turn_cursor = $cursor
            WHERE session_id = $id
            """);
        Bind(command, session);
        command.ExecuteNonQuery();
    }

    public TranscriptEntry AppendTranscript(string sessionId, string role, string kind, string content, DateTimeOffset at, string? toolName) =>
        AppendTranscript(sessionId, new NewTranscriptEntry(role, kind, content) { ToolName = toolName }, at);

    public TranscriptEntry AppendTranscript(string sessionId, NewTranscriptEntry entry, DateTimeOffset at)
    {
        using var command = Command("""
            INSERT INTO session_transcript (session_id, seq, role, kind, content, at, tool_name, tool_id, tool_input, is_error, entry_id)
            VALUES ($id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM session_transcript WHERE session_id = $id), $role, $kind, $content, $at, $tool, $toolId, $toolInput, $isError, $entryId)
            RETURNING seq
            """);
        command.Parameters.AddWithValue("$id", sessionId);
        command.Parameters.AddWithValue("$role", entry.Role);
        command.Parameters.AddWithValue("$kind", entry.Kind);
        command.Parameters.AddWithValue("$content", entry.Content);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$tool", (object?)entry.ToolName ?? DBNull.Value);
        command.Parameters.AddWithValue("$toolId", (object?)entry.ToolId ?? DBNull.Value);
        command.Parameters.AddWithValue("$toolInput", (object?)entry.ToolInput?.ToJsonString() ?? DBNull.Value);
        command.Parameters.AddWithValue("$isError", entry.IsError is { } isError ? (isError ? 1 : 0) : DBNull.Value);
        command.Parameters.AddWithValue("$entryId", (object?)entry.EntryId ?? DBNull.Value);
        var seq = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        _appendedTo.Add(sessionId);
        return new TranscriptEntry(seq, entry.Role, entry.Kind, entry.Content, at, entry.ToolName)
        {
            ToolId = entry.ToolId,
            ToolInput = entry.ToolInput?.DeepClone(),
            IsError = entry.IsError,
        };
    }

    /// <summary>Whether the session's transcript already holds the entry the writer named <paramref name="entryId"/>.</summary>
    public bool HoldsEntry(string sessionId, string entryId)
    {
        using var command = Command("SELECT 1 FROM session_transcript WHERE session_id = $id AND entry_id = $entryId");
        command.Parameters.AddWithValue("$id", sessionId);
        command.Parameters.AddWithValue("$entryId", entryId);
        return command.ExecuteScalar() is not null;
    }

    /// <summary>Moves a session's turn cursor forward (never back) to <paramref name="seq"/>.</summary>
    public void AdvanceTurnCursor(string sessionId, long seq)
    {
        using var command = Command("UPDATE sessions SET turn_cursor = MAX(turn_cursor, $seq) WHERE session_id = $id");
        command.Parameters.AddWithValue("$id", sessionId);
        command.Parameters.AddWithValue("$seq", seq);
        command.ExecuteNonQuery();
    }

    public void AppendEvent(string sessionId, string? computeId, string type, DateTimeOffset at, long? durationMs, JsonObject? data = null)
    {
        using var command = Command("""
            INSERT INTO session_events (session_id, seq, type, at, duration_ms, data, compute_id)
            VALUES ($id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM session_events WHERE session_id = $id), $type, $at, $duration, $data, $compute)
            """);
        command.Parameters.AddWithValue("$id", sessionId);
        command.Parameters.AddWithValue("$type", type);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$duration", (object?)durationMs ?? DBNull.Value);
        command.Parameters.AddWithValue("$data", (data ?? []).ToJsonString());
        command.Parameters.AddWithValue("$compute", (object?)computeId ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static void Bind(SqliteCommand command, SessionRecord session)
    {
        command.Parameters.AddWithValue("$id", session.SessionId);
        command.Parameters.AddWithValue("$name", (object?)session.SessionName ?? DBNull.Value);
        command.Parameters.AddWithValue("$status", session.Status);
        command.Parameters.AddWithValue("$provider", (object?)session.Provider ?? DBNull.Value);
        command.Parameters.AddWithValue("$compute", (object?)session.ComputeId ?? DBNull.Value);
        command.Parameters.AddWithValue("$sandbox", (object?)session.SandboxId ?? DBNull.Value);
        command.Parameters.AddWithValue("$task", session.Task);
        command.Parameters.AddWithValue("$workload", session.Workload);
        command.Parameters.AddWithValue("$routing", session.Routing.ToJsonString());
        command.Parameters.AddWithValue("$metadata", session.Metadata.ToJsonString());
        command.Parameters.AddWithValue("$idle", session.IdleTimeoutMinutes);
        command.Parameters.AddWithValue("$predicted", (object?)session.PredictedStartupMs ?? DBNull.Value);
        command.Parameters.AddWithValue("$created", session.CreatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$updated", session.UpdatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$ended", session.EndedAt is { } ended ? ended.ToUnixTimeMilliseconds() : DBNull.Value);
        command.Parameters.AddWithValue("$cursor", session.TurnCursor);
    }
}
