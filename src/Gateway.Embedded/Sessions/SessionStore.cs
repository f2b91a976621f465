using System.Globalization;
using System.Text.Json.Nodes;
using Cerver.Relay.Compute.Storage;
using Microsoft.Data.Sqlite;

namespace Cerver.Gateway.Embedded.Sessions;

/// <summary>Sessions, their transcripts and events in <c>relay.db</c>; every write is durable when it returns.</summary>
public sealed class SessionStore
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE sessions (
            session_id TEXT PRIMARY KEY,
            session_name TEXT NULL,
            status TEXT NOT NULL,
            provider TEXT NULL,
            compute_id TEXT NULL,
            sandbox_id TEXT NULL,
            task TEXT NOT NULL,
            workload TEXT NOT NULL,
            routing TEXT NOT NULL,
            metadata TEXT NOT NULL,
            idle_timeout_minutes INTEGER NOT NULL,
            predicted_startup_ms INTEGER NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            ended_at INTEGER NULL
        );
        CREATE INDEX sessions_status_updated ON sessions (status, updated_at);
        CREATE TABLE session_transcript (
            session_id TEXT NOT NULL REFERENCES sessions (session_id),
            seq INTEGER NOT NULL,
            role TEXT NOT NULL,
            kind TEXT NOT NULL,
            content TEXT NOT NULL,
            at INTEGER NOT NULL,
            tool_name TEXT NULL,
            PRIMARY KEY (session_id, seq)
        );
        CREATE TABLE session_events (
            session_id TEXT NOT NULL REFERENCES sessions (session_id),
            seq INTEGER NOT NULL,
            type TEXT NOT NULL,
            at INTEGER NOT NULL,
            duration_ms INTEGER NULL,
            data TEXT NOT NULL,
            compute_id TEXT NULL,
            PRIMARY KEY (session_id, seq)
        );
        CREATE INDEX session_events_compute ON session_events (compute_id, type, at);
        """,
        // Agent entries carry the tool call they belong to; agent sessions remember which input their last turn took.
        """
        ALTER TABLE session_transcript ADD COLUMN tool_id TEXT NULL;
        ALTER TABLE session_transcript ADD COLUMN tool_input TEXT NULL;
        ALTER TABLE session_transcript ADD COLUMN is_error INTEGER NULL;
        ALTER TABLE sessions ADD COLUMN turn_cursor INTEGER NOT NULL DEFAULT 0;
        """,
        // Entries pushed by a relay carry their own id: a retried batch must not store them twice.
        """
        ALTER TABLE session_transcript ADD COLUMN entry_id TEXT NULL;
        CREATE UNIQUE INDEX session_transcript_entry_id ON session_transcript (session_id, entry_id) WHERE entry_id IS NOT NULL;
        """,
    ];

    private const string TranscriptColumns = "seq, role, kind, content, at, tool_name, tool_id, tool_input, is_error";

    private readonly RelayDatabase _database;

    private readonly Lock[] _sessionLocks = [.. Enumerable.Range(0, 64).Select(_ => new Lock())];

    public SessionStore(RelayDatabase database)
    {
        _database = database;
        database.Migrate("sessions", Migrations);
    }

    public void Insert(SessionRecord session) => Write(writes => writes.Insert(session));

    public void Update(SessionRecord session) => Write(writes => writes.Update(session));

    /// <summary>
    /// Several writes in one transaction: one durable commit instead of one per write (each
    /// costs an fsync), and a crash never leaves half of them — a run recorded as started
    /// without its transcript entry, or ended without its result.
    /// </summary>
    public void Write(Action<SessionWrites> writes) => Write(batch =>
    {
        writes(batch);
        return 0;
    });

    public T Write<T>(Func<SessionWrites, T> writes)
    {
        T result;
        SessionWrites batch;
        using (var connection = _database.Open())
        using (var transaction = connection.BeginTransaction())
        {
            batch = new SessionWrites(connection, transaction);
            result = writes(batch);
            transaction.Commit();
        }

        foreach (var sessionId in batch.AppendedTo)
        {
            TranscriptAppended?.Invoke(sessionId);
        }

        return result;
    }

    /// <summary>Raised after a commit that added entries to a session's transcript (live readers wait on it).</summary>
    public event Action<string>? TranscriptAppended;

    /// <summary>
    /// Reads a session, changes it and writes it back (with any writes that belong to the change)
    /// while no other change of the same session runs: an agent turn and an input arriving at
    /// once must not undo each other's metadata or status. Null when there is no such session.
    /// </summary>
    public SessionRecord? Change(string sessionId, Func<SessionRecord, SessionRecord> change, Action<SessionWrites, SessionRecord>? alsoWrite = null)
    {
        lock (_sessionLocks[(uint)StringComparer.Ordinal.GetHashCode(sessionId) % (uint)_sessionLocks.Length])
        {
            if (Find(sessionId) is not { } current)
            {
                return null;
            }

            var changed = change(current);
            Write(writes =>
            {
                writes.Update(changed);
                alsoWrite?.Invoke(writes, changed);
            });
            return changed;
        }
    }

    public SessionRecord? Find(string sessionId) =>
        QuerySessions("SELECT * FROM sessions WHERE session_id = $id", ("$id", sessionId)).FirstOrDefault();

    public IReadOnlyList<SessionRecord> List(int limit, string? status) => status is null
        ? QuerySessions("SELECT * FROM sessions ORDER BY updated_at DESC, session_id LIMIT $limit", ("$limit", limit))
        : QuerySessions("SELECT * FROM sessions WHERE status = $status ORDER BY updated_at DESC, session_id LIMIT $limit", ("$limit", limit), ("$status", status));

    /// <summary>Live sessions whose last activity is before the cut-off for their own idle timeout; a session in a turn or a run is not idle.</summary>
    public IReadOnlyList<SessionRecord> ListIdlePast(DateTimeOffset now) =>
        QuerySessions("SELECT * FROM sessions WHERE status NOT IN ('terminated', 'failed', 'running') AND updated_at + idle_timeout_minutes * 60000 <= $now",
            ("$now", now.ToUnixTimeMilliseconds()));

    public int CountLive()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM sessions WHERE status NOT IN ('terminated', 'failed')";
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public TranscriptEntry AppendTranscript(string sessionId, string role, string kind, string content, DateTimeOffset at, string? toolName) =>
        Write(writes => writes.AppendTranscript(sessionId, role, kind, content, at, toolName));

    public TranscriptEntry AppendTranscript(string sessionId, NewTranscriptEntry entry, DateTimeOffset at) =>
        Write(writes => writes.AppendTranscript(sessionId, entry, at));

    /// <summary>The first user entry after the cursor: the input the next agent turn takes.</summary>
    public TranscriptEntry? NextInput(string sessionId, long cursor) =>
        QueryTranscript($"SELECT {TranscriptColumns} FROM session_transcript WHERE session_id = $id AND seq > $after AND role = 'user' ORDER BY seq LIMIT 1",
            ("$id", sessionId), ("$after", cursor)).FirstOrDefault();

    /// <summary>Live sessions driven by an agent (<c>metadata.cli_tool</c>), for the agent cap.</summary>
    public int CountLiveAgentSessions()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM sessions WHERE status NOT IN ('terminated', 'failed') AND provider IS NOT 'none' AND json_extract(metadata, '$.cli_tool') IS NOT NULL";
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public int CountTranscript(string sessionId)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM session_transcript WHERE session_id = $id";
        command.Parameters.AddWithValue("$id", sessionId);
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>Entries after <paramref name="afterSeq"/>, or the last <paramref name="tail"/> entries, oldest first.</summary>
    public IReadOnlyList<TranscriptEntry> ReadTranscript(string sessionId, long afterSeq = 0, int? tail = null) => tail is null
        ? QueryTranscript($"SELECT {TranscriptColumns} FROM session_transcript WHERE session_id = $id AND seq > $after ORDER BY seq",
            ("$id", sessionId), ("$after", afterSeq))
        : QueryTranscript($"SELECT * FROM (SELECT {TranscriptColumns} FROM session_transcript WHERE session_id = $id AND seq > $after ORDER BY seq DESC LIMIT $tail) ORDER BY seq",
            ("$id", sessionId), ("$after", afterSeq), ("$tail", tail.Value));

    public void AppendEvent(string sessionId, string? computeId, string type, DateTimeOffset at, long? durationMs, JsonObject? data = null) =>
        Write(writes => writes.AppendEvent(sessionId, computeId, type, at, durationMs, data));

    public IReadOnlyList<SessionEvent> ReadEvents(string sessionId)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, type, at, duration_ms, data FROM session_events WHERE session_id = $id ORDER BY seq";
        command.Parameters.AddWithValue("$id", sessionId);
        using var reader = command.ExecuteReader();
        var events = new List<SessionEvent>();
        while (reader.Read())
        {
            events.Add(new SessionEvent(reader.GetInt64(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                reader.IsDBNull(3) ? null : reader.GetInt64(3), JsonNode.Parse(reader.GetString(4)) as JsonObject ?? []));
        }

        return events;
    }

    /// <summary>The durations of the last <paramref name="limit"/> events of a type on a compute: the measured history routing learns from.</summary>
    public IReadOnlyList<long> RecentDurations(string computeId, string type, int limit)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT duration_ms FROM session_events WHERE compute_id = $compute AND type = $type AND duration_ms IS NOT NULL ORDER BY at DESC LIMIT $limit";
        command.Parameters.AddWithValue("$compute", computeId);
        command.Parameters.AddWithValue("$type", type);
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var durations = new List<long>();
        while (reader.Read())
        {
            durations.Add(reader.GetInt64(0));
        }

        return durations;
    }

    private List<TranscriptEntry> QueryTranscript(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = _database.Open();
        using var command = Command(connection, sql, parameters);
        using var reader = command.ExecuteReader();
        var entries = new List<TranscriptEntry>();
        while (reader.Read())
        {
            entries.Add(new TranscriptEntry(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), reader.IsDBNull(5) ? null : reader.GetString(5))
            {
                ToolId = reader.IsDBNull(6) ? null : reader.GetString(6),
                ToolInput = reader.IsDBNull(7) ? null : JsonNode.Parse(reader.GetString(7)),
                IsError = reader.IsDBNull(8) ? null : reader.GetInt64(8) != 0,
            });
        }

        return entries;
    }

    private List<SessionRecord> QuerySessions(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = _database.Open();
        using var command = Command(connection, sql, parameters);
        using var reader = command.ExecuteReader();
        var sessions = new List<SessionRecord>();
        while (reader.Read())
        {
            string? Text(string column) => reader.IsDBNull(reader.GetOrdinal(column)) ? null : reader.GetString(reader.GetOrdinal(column));
            long? Number(string column) => reader.IsDBNull(reader.GetOrdinal(column)) ? null : reader.GetInt64(reader.GetOrdinal(column));
            sessions.Add(new SessionRecord
            {
                SessionId = Text("session_id")!,
                SessionName = Text("session_name"),
                Status = Text("status")!,
                Provider = Text("provider"),
                ComputeId = Text("compute_id"),
                SandboxId = Text("sandbox_id"),
                Task = Text("task")!,
                Workload = Text("workload")!,
                Routing = JsonNode.Parse(Text("routing")!) as JsonObject ?? [],
                Metadata = JsonNode.Parse(Text("metadata")!) as JsonObject ?? [],
                IdleTimeoutMinutes = (int)Number("idle_timeout_minutes")!.Value,
                PredictedStartupMs = (int?)Number("predicted_startup_ms"),
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Number("created_at")!.Value),
                UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Number("updated_at")!.Value),
                EndedAt = Number("ended_at") is { } ended ? DateTimeOffset.FromUnixTimeMilliseconds(ended) : null,
                TurnCursor = Number("turn_cursor") ?? 0,
            });
        }

        return sessions;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }
}
