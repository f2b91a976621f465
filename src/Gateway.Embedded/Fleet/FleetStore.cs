using System.Text.Json;
using Cerver.Gateway.Embedded.Accounts;
using Cerver.Gateway.Embedded.Fleet.Wire;
using Cerver.Relay.Compute.Storage;
using Microsoft.Extensions.Options;

namespace Cerver.Gateway.Embedded.Fleet;

/// <summary>
/// The relay computes registered with this gateway, in <c>relay.db</c>. A compute's status
/// is computed, not stored: the last reported one, or <c>offline</c> once it has missed
/// <see cref="GatewayOptions.MissedHeartbeatsBeforeOffline"/> heartbeats.
/// </summary>
public sealed class FleetStore
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE fleet_computes (
            compute_id TEXT PRIMARY KEY,
            machine_id TEXT NOT NULL,
            account_id TEXT NOT NULL,
            key_id TEXT NOT NULL,
            label TEXT NOT NULL,
            relay_version TEXT NOT NULL,
            os TEXT NOT NULL,
            arch TEXT NOT NULL,
            capabilities TEXT NOT NULL,
            registered_at INTEGER NOT NULL,
            last_heartbeat_at INTEGER NULL,
            heartbeat_status TEXT NOT NULL,
            active_sandboxes INTEGER NOT NULL,
            UNIQUE (account_id, machine_id)
        );
        """,
    ];

    private readonly RelayDatabase _database;
    private readonly TimeProvider _time;
    private readonly GatewayOptions _options;

    public FleetStore(RelayDatabase database, TimeProvider time, IOptions<GatewayOptions> options)
    {
        _database = database;
        _time = time;
        _options = options.Value;
        database.Migrate("fleet", Migrations);
    }

    /// <summary>How long a compute may stay silent before it counts as offline.</summary>
    public TimeSpan OfflineAfter => _options.HeartbeatInterval * _options.MissedHeartbeatsBeforeOffline;

    public string StatusOf(FleetCompute compute) =>
        _time.GetUtcNow() - compute.LastSeenAt > OfflineAfter ? FleetStatus.Offline : compute.HeartbeatStatus;

    public bool IsOnline(FleetCompute compute) => StatusOf(compute) != FleetStatus.Offline;

    public async Task<FleetCompute?> FindAsync(string computeId, CancellationToken cancellationToken = default) =>
        await QueryAsync("SELECT * FROM fleet_computes WHERE compute_id = $id", cancellationToken, ("$id", computeId)) is [var compute, ..] ? compute : null;

    /// <summary>Every registered compute, or those of one account.</summary>
    public Task<IReadOnlyList<FleetCompute>> ListAsync(string? accountId = null, CancellationToken cancellationToken = default) => accountId is null
        ? QueryAsync("SELECT * FROM fleet_computes ORDER BY registered_at, compute_id", cancellationToken)
        : QueryAsync("SELECT * FROM fleet_computes WHERE account_id = $account ORDER BY registered_at, compute_id", cancellationToken, ("$account", accountId));

    /// <summary>
    /// Registers a relay under the compute id it proposes when that id is free or already its
    /// account's; under a new id when another account holds it; without a proposal, under the id
    /// its machine already has. One machine of an account has one compute: a registration from a
    /// machine known under another id replaces that record.
    /// Registering counts as being heard from.
    /// </summary>
    public async Task<FleetCompute> RegisterAsync(Caller caller, ValidRegistration registration, CancellationToken cancellationToken)
    {
        await using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        var computeId = registration.ProposedComputeId;
        if (computeId is not null)
        {
            await using var owner = connection.CreateCommand();
            owner.Transaction = transaction;
            owner.CommandText = "SELECT account_id FROM fleet_computes WHERE compute_id = $id";
            owner.Parameters.AddWithValue("$id", computeId);
            if (await owner.ExecuteScalarAsync(cancellationToken) is string account && account != caller.AccountId)
            {
                computeId = null;
            }
        }

        if (computeId is null && registration.MachineId is not null)
        {
            await using var known = connection.CreateCommand();
            known.Transaction = transaction;
            known.CommandText = "SELECT compute_id FROM fleet_computes WHERE account_id = $account AND machine_id = $machine";
            known.Parameters.AddWithValue("$account", caller.AccountId);
            known.Parameters.AddWithValue("$machine", registration.MachineId);
            computeId = await known.ExecuteScalarAsync(cancellationToken) as string;
        }

        computeId ??= Secrets.NewId("cmp_");
        var machineId = registration.MachineId ?? computeId;
        await using (var replace = connection.CreateCommand())
        {
            replace.Transaction = transaction;
            replace.CommandText = "DELETE FROM fleet_computes WHERE account_id = $account AND machine_id = $machine AND compute_id <> $id";
            replace.Parameters.AddWithValue("$account", caller.AccountId);
            replace.Parameters.AddWithValue("$machine", machineId);
            replace.Parameters.AddWithValue("$id", computeId);
            await replace.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO fleet_computes (compute_id, machine_id, account_id, key_id, label, relay_version, os, arch, capabilities,
                                            registered_at, last_heartbeat_at, heartbeat_status, active_sandboxes)
                VALUES ($id, $machine, $account, $key, $label, $version, $os, $arch, $capabilities, $now, $now, 'ready', 0)
                ON CONFLICT (compute_id) DO UPDATE SET
                    machine_id = excluded.machine_id, key_id = excluded.key_id, label = excluded.label, relay_version = excluded.relay_version,
                    os = excluded.os, arch = excluded.arch, capabilities = excluded.capabilities, last_heartbeat_at = excluded.last_heartbeat_at
                """;
            command.Parameters.AddWithValue("$id", computeId);
            command.Parameters.AddWithValue("$machine", machineId);
            command.Parameters.AddWithValue("$account", caller.AccountId);
            command.Parameters.AddWithValue("$key", caller.KeyId ?? "owner");
            command.Parameters.AddWithValue("$label", registration.Label);
            command.Parameters.AddWithValue("$version", registration.RelayVersion);
            command.Parameters.AddWithValue("$os", registration.Os);
            command.Parameters.AddWithValue("$arch", registration.Arch);
            command.Parameters.AddWithValue("$capabilities", JsonSerializer.Serialize(registration.Capabilities, FleetJsonContext.Default.ComputeCapabilities));
            command.Parameters.AddWithValue("$now", _time.GetUtcNow().ToUnixTimeMilliseconds());
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return (await FindAsync(computeId, cancellationToken))!;
    }

    /// <summary>A heartbeat: the reported status, and whatever of the description the relay sent again.</summary>
    public async Task<FleetCompute> HeartbeatAsync(string computeId, string status, ComputeCapabilities? capabilities, ComputeMetadata? metadata, CancellationToken cancellationToken)
    {
        await using var connection = _database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE fleet_computes SET last_heartbeat_at = $now, heartbeat_status = $status,
                active_sandboxes = COALESCE($active, active_sandboxes), relay_version = COALESCE($version, relay_version),
                capabilities = COALESCE($capabilities, capabilities)
            WHERE compute_id = $id
            """;
        command.Parameters.AddWithValue("$now", _time.GetUtcNow().ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$status", status);
        command.Parameters.AddWithValue("$active", (object?)metadata?.ActiveSandboxes ?? DBNull.Value);
        command.Parameters.AddWithValue("$version", (object?)metadata?.RelayVersion ?? DBNull.Value);
        command.Parameters.AddWithValue("$capabilities", capabilities is null ? DBNull.Value : JsonSerializer.Serialize(capabilities, FleetJsonContext.Default.ComputeCapabilities));
        command.Parameters.AddWithValue("$id", computeId);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return (await FindAsync(computeId, cancellationToken))!;
    }

    public async Task DeleteAsync(string computeId, CancellationToken cancellationToken)
    {
        await using var connection = _database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM fleet_computes WHERE compute_id = $id";
        command.Parameters.AddWithValue("$id", computeId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<FleetCompute>> QueryAsync(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var connection = _database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var computes = new List<FleetCompute>();
        while (await reader.ReadAsync(cancellationToken))
        {
            computes.Add(new FleetCompute(
                reader.GetString(reader.GetOrdinal("compute_id")),
                reader.GetString(reader.GetOrdinal("machine_id")),
                reader.GetString(reader.GetOrdinal("account_id")),
                reader.GetString(reader.GetOrdinal("key_id")),
                reader.GetString(reader.GetOrdinal("label")),
                reader.GetString(reader.GetOrdinal("relay_version")),
                reader.GetString(reader.GetOrdinal("os")),
                reader.GetString(reader.GetOrdinal("arch")),
                JsonSerializer.Deserialize(reader.GetString(reader.GetOrdinal("capabilities")), FleetJsonContext.Default.ComputeCapabilities)!,
                AccountStore.Time(reader, "registered_at")!.Value,
                AccountStore.Time(reader, "last_heartbeat_at"),
                reader.GetString(reader.GetOrdinal("heartbeat_status")),
                reader.GetInt32(reader.GetOrdinal("active_sandboxes"))));
        }

        return computes;
    }
}
