using System.Text.Json;
using System.Text.Json.Serialization;
using Cerver.Relay.Compute.Storage;

namespace Cerver.Relay.Link;

/// <summary><c>relay/link.json</c> (0600): the gateway this relay registered with and the compute id it was given.</summary>
public sealed record LinkRecord(string GatewayUrl, string ComputeId, string AccountId, DateTimeOffset RegisteredAt)
{
    public static LinkRecord? Read(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllText(path), LinkJsonContext.Default.LinkRecord) : null;
        }
        catch (JsonException)
        {
            // A damaged file only costs a fresh registration, which keeps the compute id anyway (same machine id).
            return null;
        }
    }

    public void Write(string path)
    {
        FilePermissions.CreatePrivateDirectory(Path.GetDirectoryName(path)!);
        FilePermissions.WritePrivateFile(path, JsonSerializer.Serialize(this, LinkJsonContext.Default.LinkRecord));
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(LinkRecord))]
internal sealed partial class LinkJsonContext : JsonSerializerContext;
