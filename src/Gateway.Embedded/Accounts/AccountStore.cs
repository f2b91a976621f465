using Cerver.Relay.Compute.Storage;
using Microsoft.Data.Sqlite;

namespace Cerver.Gateway.Embedded.Accounts;

/// <summary>
/// The gateway's account, its device authorizations and the relay keys it issued, in
/// <c>relay.db</c>. Secrets are stored only as SHA-256 hashes.
/// </summary>
public sealed class AccountStore
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE gateway_account (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            account_id TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE device_codes (
            device_code_hash TEXT PRIMARY KEY,
            user_code TEXT NOT NULL,
            machine_name TEXT NOT NULL,
            status TEXT NOT NULL,
            interval_seconds INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            last_polled_at INTEGER NULL,
            key_id TEXT NULL
        );
        CREATE INDEX device_codes_user_code ON device_codes (user_code, status);
        CREATE TABLE relay_keys (
            key_id TEXT PRIMARY KEY,
            key_hash TEXT NOT NULL UNIQUE,
            account_id TEXT NOT NULL,
            machine_name TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            last_used_at INTEGER NULL,
            revoked_at INTEGER NULL
        );
        """,
    ];

    private readonly RelayDatabase _database;

    public AccountStore(RelayDatabase database, TimeProvider time)
    {
        _database = database;
        database.Migrate("accounts", Migrations);
        AccountId = LoadOrCreateAccount(time.GetUtcNow());
    }

    /// <summary>The account this gateway's owner is, made once and kept: every key it issues belongs to it.</summary>
    public string AccountId { get; }

    public void InsertDeviceCode(DeviceCodeRecord code)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO device_codes (device_code_hash, user_code, machine_name, status, interval_seconds, created_at, expires_at)
            VALUES ($hash, $user, $machine, $status, $interval, $created, $expires)
            """;
        command.Parameters.AddWithValue("$hash", code.DeviceCodeHash);
        command.Parameters.AddWithValue("$user", code.UserCode);
        command.Parameters.AddWithValue("$machine", code.MachineName);
        command.Parameters.AddWithValue("$status", code.Status);
        command.Parameters.AddWithValue("$interval", code.IntervalSeconds);
        command.Parameters.AddWithValue("$created", code.CreatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$expires", code.ExpiresAt.ToUnixTimeMilliseconds());
        command.ExecuteNonQuery();
    }

    public DeviceCodeRecord? FindDeviceCode(string deviceCodeHash) =>
        QueryDeviceCodes("SELECT * FROM device_codes WHERE device_code_hash = $hash", ("$hash", deviceCodeHash)).FirstOrDefault();

    /// <summary>The newest authorization with this user code that a person may still decide on, or the newest one at all.</summary>
    public DeviceCodeRecord? FindByUserCode(string userCode) =>
        QueryDeviceCodes("SELECT * FROM device_codes WHERE user_code = $p ORDER BY (status = 'pending') DESC, created_at DESC LIMIT 1", ("$p", userCode)).FirstOrDefault();

    public IReadOnlyList<DeviceCodeRecord> ListPending(DateTimeOffset now) =>
        QueryDeviceCodes("SELECT * FROM device_codes WHERE status = 'pending' AND expires_at > $now ORDER BY created_at", ("$now", now.ToUnixTimeMilliseconds()));

    public int CountPending(DateTimeOffset now)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM device_codes WHERE status = 'pending' AND expires_at > $now";
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Deletes every device code that expired before <paramref name="before"/>; a spent one's key stays in relay_keys.</summary>
    public int DeleteDeviceCodesExpiredBefore(DateTimeOffset before)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM device_codes WHERE expires_at <= $before";
        command.Parameters.AddWithValue("$before", before.ToUnixTimeMilliseconds());
        return command.ExecuteNonQuery();
    }

    public bool IsUserCodeInUse(string userCode, DateTimeOffset now) =>
        QueryDeviceCodes("SELECT * FROM device_codes WHERE user_code = $code AND expires_at > $now", ("$code", userCode), ("$now", now.ToUnixTimeMilliseconds())).Count > 0;

    public void RecordPoll(string deviceCodeHash, DateTimeOffset at, int intervalSeconds)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE device_codes SET last_polled_at = $at, interval_seconds = $interval WHERE device_code_hash = $hash";
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$interval", intervalSeconds);
        command.Parameters.AddWithValue("$hash", deviceCodeHash);
        command.ExecuteNonQuery();
    }

    /// <summary>Moves a pending, unexpired authorization to approved or denied; false when it was not pending any more.</summary>
    public bool Decide(string deviceCodeHash, string status, DateTimeOffset now)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE device_codes SET status = $status WHERE device_code_hash = $hash AND status = 'pending' AND expires_at > $now";
        command.Parameters.AddWithValue("$status", status);
        command.Parameters.AddWithValue("$hash", deviceCodeHash);
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>
    /// Spends an approved device code and stores the key it yields, in one transaction: of two
    /// polls racing for the same approval, exactly one gets the key.
    /// </summary>
    public bool ConsumeApproved(string deviceCodeHash, RelayKeyRecord key, string keyHash)
    {
        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        using var consume = connection.CreateCommand();
        consume.Transaction = transaction;
        consume.CommandText = "UPDATE device_codes SET status = 'consumed', key_id = $key WHERE device_code_hash = $hash AND status = 'approved'";
        consume.Parameters.AddWithValue("$key", key.KeyId);
        consume.Parameters.AddWithValue("$hash", deviceCodeHash);
        if (consume.ExecuteNonQuery() != 1)
        {
            return false;
        }

        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO relay_keys (key_id, key_hash, account_id, machine_name, created_at)
            VALUES ($id, $hash, $account, $machine, $created)
            """;
        insert.Parameters.AddWithValue("$id", key.KeyId);
        insert.Parameters.AddWithValue("$hash", keyHash);
        insert.Parameters.AddWithValue("$account", key.AccountId);
        insert.Parameters.AddWithValue("$machine", key.MachineName);
        insert.Parameters.AddWithValue("$created", key.CreatedAt.ToUnixTimeMilliseconds());
        insert.ExecuteNonQuery();
        transaction.Commit();
        return true;
    }

    public async Task<RelayKeyRecord?> FindKeyByHashAsync(string keyHash, CancellationToken cancellationToken) =>
        await QueryKeysAsync("SELECT * FROM relay_keys WHERE key_hash = $p", keyHash, cancellationToken) is [var key, ..] ? key : null;

    public async Task<RelayKeyRecord?> FindKeyAsync(string keyId, CancellationToken cancellationToken) =>
        await QueryKeysAsync("SELECT * FROM relay_keys WHERE key_id = $p", keyId, cancellationToken) is [var key, ..] ? key : null;

    public Task<IReadOnlyList<RelayKeyRecord>> ListKeysAsync(CancellationToken cancellationToken) =>
        QueryKeysAsync("SELECT * FROM relay_keys ORDER BY created_at", null, cancellationToken);

    public async Task TouchKeyAsync(string keyId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = _database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE relay_keys SET last_used_at = $at WHERE key_id = $id";
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$id", keyId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task RevokeKeyAsync(string keyId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = _database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE relay_keys SET revoked_at = COALESCE(revoked_at, $at) WHERE key_id = $id";
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$id", keyId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private string LoadOrCreateAccount(DateTimeOffset now)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO gateway_account (id, account_id, created_at) VALUES (1, $account, $now) ON CONFLICT(id) DO NOTHING;
            SELECT account_id FROM gateway_account WHERE id = 1;
            """;
        command.Parameters.AddWithValue("$account", Secrets.NewId("acc_"));
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        return (string)command.ExecuteScalar()!;
    }

    private List<DeviceCodeRecord> QueryDeviceCodes(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        using var reader = command.ExecuteReader();
        var codes = new List<DeviceCodeRecord>();
        while (reader.Read())
        {
            codes.Add(new DeviceCodeRecord(
                reader.GetString(reader.GetOrdinal("device_code_hash")),
                reader.GetString(reader.GetOrdinal("user_code")),
                reader.GetString(reader.GetOrdinal("machine_name")),
                reader.GetString(reader.GetOrdinal("status")),
                reader.GetInt32(reader.GetOrdinal("interval_seconds")),
                Time(reader, "created_at")!.Value,
                Time(reader, "expires_at")!.Value,
                Time(reader, "last_polled_at"),
                reader.IsDBNull(reader.GetOrdinal("key_id")) ? null : reader.GetString(reader.GetOrdinal("key_id"))));
        }

        return codes;
    }

    private async Task<IReadOnlyList<RelayKeyRecord>> QueryKeysAsync(string sql, string? parameter, CancellationToken cancellationToken)
    {
        await using var connection = _database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (parameter is not null)
        {
            command.Parameters.AddWithValue("$p", parameter);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<RelayKeyRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(new RelayKeyRecord(
                reader.GetString(reader.GetOrdinal("key_id")),
                reader.GetString(reader.GetOrdinal("account_id")),
                reader.GetString(reader.GetOrdinal("machine_name")),
                Time(reader, "created_at")!.Value,
                Time(reader, "last_used_at"),
                Time(reader, "revoked_at")));
        }

        return keys;
    }

    internal static DateTimeOffset? Time(SqliteDataReader reader, string column)
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));
    }
}
