using Microsoft.Data.Sqlite;

namespace Cerver.Relay.Compute.Storage;

/// <summary>
/// The relay's one SQLite file. WAL lets readers run beside the single writer, and
/// <c>synchronous=FULL</c> makes an acknowledged write survive a crash of the process
/// or of the machine. Each module owns its tables and migrates them on its own.
/// </summary>
public sealed class RelayDatabase
{
    private readonly string _connectionString;

    public RelayDatabase(string path)
    {
        Path = path;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();

        using var connection = Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Execute(connection, "CREATE TABLE IF NOT EXISTS schema_versions (module TEXT PRIMARY KEY, version INTEGER NOT NULL);");
        FilePermissions.RestrictToOwner(path);
    }

    public string Path { get; }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;");
        return connection;
    }

    /// <summary>Applies the module's migrations past the version it is at, each in its own transaction.</summary>
    public void Migrate(string module, IReadOnlyList<string> migrations)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = "SELECT version FROM schema_versions WHERE module = $m";
        read.Parameters.AddWithValue("$m", module);
        var current = Convert.ToInt32(read.ExecuteScalar() ?? 0, System.Globalization.CultureInfo.InvariantCulture);
        if (current > migrations.Count)
        {
            throw new InvalidOperationException(
                $"The database at {Path} has {module} schema version {current}, newer than this relay knows ({migrations.Count}). Update the relay.");
        }

        for (var version = current; version < migrations.Count; version++)
        {
            using var apply = connection.CreateCommand();
            apply.Transaction = transaction;
            apply.CommandText = migrations[version];
            apply.ExecuteNonQuery();
        }

        using var write = connection.CreateCommand();
        write.Transaction = transaction;
        write.CommandText = "INSERT INTO schema_versions (module, version) VALUES ($m, $v) ON CONFLICT(module) DO UPDATE SET version = $v";
        write.Parameters.AddWithValue("$m", module);
        write.Parameters.AddWithValue("$v", migrations.Count);
        write.ExecuteNonQuery();
        transaction.Commit();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
