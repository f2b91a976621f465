using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cerver.Relay.Compute.Storage;

namespace Cerver.Relay.Daemon;

/// <summary>Who this machine is: a stable machine id, the compute id it is known by, and a label.</summary>
public sealed record RelayIdentity(string MachineId, string ComputeId, string Label)
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static RelayIdentity LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            try
            {
                if (JsonSerializer.Deserialize(File.ReadAllText(path), RelayJsonContext.Default.RelayIdentity) is { MachineId.Length: > 0, ComputeId.Length: > 0 } stored)
                {
                    return stored;
                }
            }
            catch (JsonException)
            {
                // A damaged identity is replaced below; the old file is kept for inspection.
                File.Copy(path, path + ".damaged", overwrite: true);
            }
        }

        var identity = new RelayIdentity(
            "mch_" + RandomNumberGenerator.GetString(Alphabet, 24),
            "cmp_" + RandomNumberGenerator.GetString(Alphabet, 24),
            Environment.MachineName);
        FilePermissions.CreatePrivateDirectory(Path.GetDirectoryName(path)!);
        FilePermissions.WritePrivateFile(path, JsonSerializer.Serialize(identity, RelayJsonContext.Default.RelayIdentity));
        return identity;
    }
}
