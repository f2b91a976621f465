namespace Cerver.Relay.Compute.Isolation;

/// <summary>
/// The unprivileged host identity a sandbox's processes run as when the daemon itself is root:
/// one uid and gid per sandbox from a range no account uses, so a sandbox holds none of the
/// daemon's privileges and no other sandbox's. Null when the daemon is an ordinary user, whose
/// uid a user namespace already confines.
/// </summary>
public sealed record SandboxUser(int Uid, int Gid);
