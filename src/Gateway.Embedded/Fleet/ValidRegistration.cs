using Cerver.Gateway.Embedded.Accounts;
using Cerver.Gateway.Embedded.Fleet.Wire;
using Cerver.Relay.Compute.Contract;

namespace Cerver.Gateway.Embedded.Fleet;

/// <summary>A registration checked field by field, with what may be left out filled in.</summary>
public sealed record ValidRegistration(
    string? ProposedComputeId,
    string? MachineId,
    string Label,
    string RelayVersion,
    string Os,
    string Arch,
    ComputeCapabilities Capabilities)
{
    public const string Provider = "cerver_local_provider";
    public const string Kind = "local";
    public const string Transport = "cerver_connect";

    public static ValidRegistration From(RegisterComputeRequest body, Caller caller)
    {
        Fixed(body.Provider, "provider", Provider);
        Fixed(body.Kind, "kind", Kind);
        Fixed(body.Connection?.Transport, "connection.transport", Transport);
        var computeId = Identifier(body.ComputeId, "compute_id");
        var metadata = body.Metadata ?? new ComputeMetadata();
        var capabilities = body.Capabilities ?? throw ComputeException.Invalid("capabilities", "an object is required");
        if (capabilities.Cpus is < 1 || capabilities.MemoryMb is < 0 || capabilities.MaxSandboxes is < 0)
        {
            var field = capabilities.Cpus is < 1 ? "cpus" : capabilities.MemoryMb is < 0 ? "memory_mb" : "max_sandboxes";
            throw ComputeException.Invalid($"capabilities.{field}", "must not be negative (cpus at least 1)");
        }

        var machineId = Identifier(metadata.MachineId, "metadata.machine_id");
        return new ValidRegistration(
            computeId,
            machineId,
            Text(body.Label, "label") ?? Text(metadata.MachineName, "metadata.machine_name") ?? caller.MachineName ?? machineId ?? computeId ?? "relay",
            Text(metadata.RelayVersion, "metadata.relay_version") ?? "unknown",
            Text(metadata.Os, "metadata.os") ?? "unknown",
            Text(metadata.Arch, "metadata.arch") ?? "unknown",
            capabilities with
            {
                Runtimes = capabilities.Runtimes ?? [],
                CliTools = capabilities.CliTools ?? [],
                LocalModels = capabilities.LocalModels ?? [],
                Isolation = Text(capabilities.Isolation, "capabilities.isolation") ?? "none",
            });
    }

    /// <summary>A printable, trimmed text of at most <paramref name="maxLength"/> characters, or null when left out.</summary>
    public static string? Text(string? value, string field, int maxLength = 200) =>
        value is null ? null
        : string.IsNullOrWhiteSpace(value) || value.Length > maxLength || value.Any(char.IsControl)
            ? throw ComputeException.Invalid(field, $"must be 1 to {maxLength} printable characters")
            : value.Trim();

    private static string? Identifier(string? value, string field) =>
        value is null ? null
        : value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':')
            ? value
            : throw ComputeException.Invalid(field, "1 to 64 letters, digits, '_', '-', '.' or ':'");

    private static void Fixed(string? value, string field, string only)
    {
        if (value is not null && value != only)
        {
            throw ComputeException.Invalid(field, $"must be '{only}', not '{value}'");
        }
    }
}
