using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Cerver.Relay.Compute.Isolation;

/// <summary>
/// Gives each sandbox its own host uid and gid when the daemon is root, derived from the sandbox
/// id so it needs no storage and is the same after a restart. The range starts at two billion,
/// far above any account or container mapping a distribution hands out, and spans 2^24 ids.
/// </summary>
public static class SandboxUsers
{
    public const int FirstId = 2_000_000_000;
    public const int RangeSize = 1 << 24;

    public static SandboxUser For(string sandboxId)
    {
        var hash = BinaryPrimitives.ReadUInt32LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(sandboxId)));
        var id = FirstId + (int)(hash % RangeSize);
        return new SandboxUser(id, id);
    }
}
