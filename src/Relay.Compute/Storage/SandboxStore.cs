using System.Text.Json.Nodes;
using Cerver.Relay.Compute.Contract;
using Microsoft.Data.Sqlite;

namespace Cerver.Relay.Compute.Storage;

/// <summary>Sandbox records and their JSON state, durable in <c>relay.db</c>.</summary>
public sealed class SandboxStore
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE sandboxes (
            sandbox_id TEXT PRIMARY KEY,
            compute_id TEXT NOT NULL,
            status TEXT NOT NULL,
            runtime TEXT NOT NULL,
            isolation TEXT NOT NULL,
            network INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            metadata TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT '{}',
            state_updated_at INTEGER NULL
        );
        CREATE INDEX sandboxes_status_expiry ON sandboxes (status, expires_at);
        """,
    ];

    private readonly RelayDatabase _database;

    public SandboxStore(RelayDatabase database)
    {
        _database = database;
        database.Migrate("sandboxes", Migrations);
    }

    public void Insert(SandboxRecord record)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO sandboxes (sandbox_id, compute_id, status, runtime, isolation, network, created_at, expires_at, metadata)
            VALUES ($id, $compute, $status, $runtime, $isolation, $network, $created, $expires, $metadata)
            """;
        command.Parameters.AddWithValue("$id", record.SandboxId);
        command.Parameters.AddWithValue("$compute", record.ComputeId);
        command.Parameters.AddWithValue("$status", record.Status);
        command.Parameters.AddWithValue("$runtime", record.Runtime);
        command.Parameters.AddWithValue("$isolation", record.Isolation);
        command.Parameters.AddWithValue("$network", record.Network ? 1 : 0);
        command.Parameters.AddWithValue("$created", record.CreatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$expires", record.ExpiresAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$metadata", record.Metadata.ToJsonString());
        command.ExecuteNonQuery();
    }

    public SandboxRecord? Find(string sandboxId) =>
        Query("SELECT * FROM sandboxes WHERE sandbox_id = $id AND status <> 'terminated'", ("$id", sandboxId)).FirstOrDefault();

    public IReadOnlyList<SandboxRecord> ListLive() =>
        Query("SELECT * FROM sandboxes WHERE status <> 'terminated' ORDER BY created_at");

    public IReadOnlyList<SandboxRecord> ListExpired(DateTimeOffset now) =>
        Query("SELECT * FROM sandboxes WHERE status <> 'terminated' AND expires_at <= $now", ("$now", now.ToUnixTimeMilliseconds()));

    public int CountLive()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM sandboxes WHERE status <> 'terminated'";
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Marks the sandbox terminated; false when it was not live.</summary>
    public bool MarkTerminated(string sandboxId)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE sandboxes SET status = 'terminated' WHERE sandbox_id = $id AND status <> 'terminated'";
        command.Parameters.AddWithValue("$id", sandboxId);
        return command.ExecuteNonQuery() == 1;
    }

    public (JsonObject State, DateTimeOffset? UpdatedAt)? ReadState(string sandboxId)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT state, state_updated_at FROM sandboxes WHERE sandbox_id = $id AND status <> 'terminated'";
        command.Parameters.AddWithValue("$id", sandboxId);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        var state = JsonNode.Parse(reader.GetString(0)) as JsonObject ?? [];
        return (state, reader.IsDBNull(1) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)));
    }

    /// <summary>Replaces the state; it is on disk (fsynced) when this returns true.</summary>
    public bool WriteState(string sandboxId, JsonObject state, DateTimeOffset now)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE sandboxes SET state = $state, state_updated_at = $now WHERE sandbox_id = $id AND status <> 'terminated'";
        command.Parameters.AddWithValue("$id", sandboxId);
        command.Parameters.AddWithValue("$state", state.ToJsonString());
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        return command.ExecuteNonQuery() == 1;
    }

    private List<SandboxRecord> Query(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        using var reader = command.ExecuteReader();
        var records = new List<SandboxRecord>();
        while (reader.Read())
        {
            records.Add(Read(reader));
        }

        return records;
    }

    private static SandboxRecord Read(SqliteDataReader reader) => new()
    {
        SandboxId = reader.GetString(reader.GetOrdinal("sandbox_id")),
        ComputeId = reader.GetString(reader.GetOrdinal("compute_id")),
        Status = reader.GetString(reader.GetOrdinal("status")),
        Runtime = reader.GetString(reader.GetOrdinal("runtime")),
        Isolation = reader.GetString(reader.GetOrdinal("isolation")),
        Network = reader.GetInt64(reader.GetOrdinal("network")) != 0,
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(reader.GetOrdinal("created_at"))),
        ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(reader.GetOrdinal("expires_at"))),
        Metadata = JsonNode.Parse(reader.GetString(reader.GetOrdinal("metadata"))) as JsonObject ?? [],
    };
}
