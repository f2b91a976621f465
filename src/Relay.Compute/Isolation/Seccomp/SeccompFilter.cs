using System.Buffers.Binary;

namespace Cerver.Relay.Compute.Isolation.Seccomp;

/// <summary>
/// The classic-BPF seccomp program every bubblewrap sandbox runs under (bwrap's <c>--seccomp</c>
/// takes it compiled). It refuses with EPERM what sandboxed code never needs and what would
/// let it out: mounts, namespaces (new ones through <c>unshare</c> or <c>clone</c> flags, joining
/// through <c>setns</c>), tracing and reading other processes, the kernel keyring, eBPF, perf,
/// io_uring (its own syscall surface), modules, kexec and reboot. <c>clone3</c> answers ENOSYS,
/// because its flags live behind a pointer a filter cannot read; the C library then falls back
/// to <c>clone</c>, whose flags the filter does check. Setting a set-uid or set-gid bit with
/// the <c>chmod</c> family is refused too, so no workspace file can become a set-id program for
/// whoever runs it outside. A syscall of another architecture (the
/// 32-bit ABI on a 64-bit kernel) kills the process rather than slip past the numbers.
/// </summary>
public static class SeccompFilter
{
    public static readonly IReadOnlyList<string> Denied =
    [
        "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
        "setns", "unshare",
        "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "process_madvise", "kcmp",
        "keyctl", "add_key", "request_key",
        "bpf", "perf_event_open", "userfaultfd",
        "io_uring_setup", "io_uring_enter", "io_uring_register",
        "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
        "reboot", "swapon", "swapoff", "acct", "quotactl", "syslog", "vhangup",
        "open_by_handle_at", "name_to_handle_at", "lookup_dcookie", "uselib", "iopl", "ioperm",
    ];

    /// <summary>CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID and NEWNET.</summary>
    public const uint NamespaceCloneFlags = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

    /// <summary>S_ISUID and S_ISGID.</summary>
    public const uint SetIdModeBits = 0x800 | 0x400;

    /// <summary>Calls refused only when one argument has one of the given bits set.</summary>
    public static readonly IReadOnlyList<ArgumentRule> ArgumentRules =
    [
        new("clone", 0, NamespaceCloneFlags),
        new("chmod", 1, SetIdModeBits),
        new("fchmod", 1, SetIdModeBits),
        new("fchmodat", 2, SetIdModeBits),
        new("fchmodat2", 2, SetIdModeBits),
    ];

    private const ushort LoadWord = 0x20; // BPF_LD | BPF_W | BPF_ABS
    private const ushort JumpEqual = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
    private const ushort JumpGreaterOrEqual = 0x35; // BPF_JMP | BPF_JGE | BPF_K
    private const ushort JumpSet = 0x45; // BPF_JMP | BPF_JSET | BPF_K
    private const ushort Return = 0x06; // BPF_RET | BPF_K

    private const uint OffsetNumber = 0;
    private const uint OffsetArch = 4;
    private const uint OffsetArguments = 16; // args[i] at 16 + 8i; its low half first on a little-endian machine

    public const uint ReturnAllow = 0x7FFF0000;
    public const uint ReturnKillProcess = 0x80000000;
    public const uint ReturnErrno = 0x00050000;
    public const uint Eperm = 1;
    public const uint Enosys = 38;

    /// <summary>The program as bwrap reads it: <c>struct sock_filter</c> entries of 8 bytes, native (little) endian.</summary>
    public static byte[] Build(SyscallTable table)
    {
        var program = Instructions(table);
        var bytes = new byte[program.Count * 8];
        for (var i = 0; i < program.Count; i++)
        {
            var span = bytes.AsSpan(i * 8, 8);
            BinaryPrimitives.WriteUInt16LittleEndian(span, program[i].Code);
            span[2] = program[i].JumpTrue;
            span[3] = program[i].JumpFalse;
            BinaryPrimitives.WriteUInt32LittleEndian(span[4..], program[i].Value);
        }

        return bytes;
    }

    public static IReadOnlyList<Instruction> Instructions(SyscallTable table)
    {
        var denied = Denied.Where(table.Numbers.ContainsKey).Select(name => table.Numbers[name]).ToList();

        // Laid out as: checks, then the three shared returns; every jump is forward, so its
        // offset is the distance to one of those returns.
        var body = new List<(ushort Code, uint Value, Target OnTrue, Target OnFalse)>
        {
            (LoadWord, OffsetArch, Target.Next, Target.Next),
            (JumpEqual, table.AuditArch, Target.Skip1, Target.Next),
            (Return, ReturnKillProcess, Target.Next, Target.Next),
            (LoadWord, OffsetNumber, Target.Next, Target.Next),
        };
        if (table.X32Bit is { } x32)
        {
            body.Add((JumpGreaterOrEqual, x32, Target.Deny, Target.Next));
        }

        body.AddRange(denied.Select(number => (JumpEqual, number, Target.Deny, Target.Next)));
        body.Add((JumpEqual, table.Numbers["clone3"], Target.NoSuchCall, Target.Next));
        foreach (var rule in ArgumentRules.Where(rule => table.Numbers.ContainsKey(rule.Syscall)))
        {
            body.Add((JumpEqual, table.Numbers[rule.Syscall], Target.Next, Target.Skip2));
            body.Add((LoadWord, OffsetArguments + (8 * rule.Argument), Target.Next, Target.Next));
            body.Add((JumpSet, rule.Bits, Target.Deny, Target.Allow));
        }

        var allowAt = body.Count;
        var program = new List<Instruction>(body.Count + 3);
        for (var pc = 0; pc < body.Count; pc++)
        {
            var (code, value, onTrue, onFalse) = body[pc];
            program.Add(new Instruction(code, Offset(pc, onTrue, allowAt), Offset(pc, onFalse, allowAt), value));
        }

        program.Add(new Instruction(Return, 0, 0, ReturnAllow));
        program.Add(new Instruction(Return, 0, 0, ReturnErrno | Enosys));
        program.Add(new Instruction(Return, 0, 0, ReturnErrno | Eperm));
        return program;
    }

    private static byte Offset(int pc, Target target, int allowAt)
    {
        var destination = target switch
        {
            Target.Next => pc + 1,
            Target.Skip1 => pc + 2,
            Target.Skip2 => pc + 3,
            Target.Allow => allowAt,
            Target.NoSuchCall => allowAt + 1,
            _ => allowAt + 2,
        };
        return checked((byte)(destination - pc - 1));
    }

    public sealed record ArgumentRule(string Syscall, uint Argument, uint Bits);

    public readonly record struct Instruction(ushort Code, byte JumpTrue, byte JumpFalse, uint Value);

    private enum Target
    {
        Next,
        Skip1,
        Skip2,
        Allow,
        NoSuchCall,
        Deny,
    }
}
