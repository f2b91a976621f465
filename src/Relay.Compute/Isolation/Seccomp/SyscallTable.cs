using System.Collections.Frozen;
using System.Runtime.InteropServices;

namespace Cerver.Relay.Compute.Isolation.Seccomp;

/// <summary>
/// Syscall numbers of the two Linux architectures the relay ships for. Taken from the kernel's
/// <c>asm/unistd_64.h</c> (x86_64) and <c>asm-generic/unistd.h</c> (arm64); a name absent
/// from an architecture (x86's <c>iopl</c>) is simply not there.
/// </summary>
public sealed class SyscallTable
{
    public static readonly SyscallTable X8664 = new(0xC000003E, x32Bit: 0x40000000, new Dictionary<string, uint>
    {
        ["mount"] = 165, ["umount2"] = 166, ["pivot_root"] = 155, ["chroot"] = 161, ["setns"] = 308, ["unshare"] = 272,
        ["clone"] = 56, ["clone3"] = 435, ["chmod"] = 90, ["fchmod"] = 91, ["fchmodat"] = 268, ["fchmodat2"] = 452, ["ptrace"] = 101, ["process_vm_readv"] = 310, ["process_vm_writev"] = 311,
        ["pidfd_getfd"] = 438, ["process_madvise"] = 440, ["kcmp"] = 312,
        ["keyctl"] = 250, ["add_key"] = 248, ["request_key"] = 249, ["bpf"] = 321, ["perf_event_open"] = 298,
        ["io_uring_setup"] = 425, ["io_uring_enter"] = 426, ["io_uring_register"] = 427,
        ["init_module"] = 175, ["finit_module"] = 313, ["delete_module"] = 176, ["kexec_load"] = 246, ["kexec_file_load"] = 320,
        ["reboot"] = 169, ["swapon"] = 167, ["swapoff"] = 168, ["open_by_handle_at"] = 304, ["name_to_handle_at"] = 303,
        ["userfaultfd"] = 323, ["fsopen"] = 430, ["fsconfig"] = 431, ["fsmount"] = 432, ["fspick"] = 433, ["move_mount"] = 429,
        ["open_tree"] = 428, ["mount_setattr"] = 442, ["acct"] = 163, ["quotactl"] = 179, ["syslog"] = 103,
        ["iopl"] = 172, ["ioperm"] = 173, ["uselib"] = 134, ["lookup_dcookie"] = 212, ["vhangup"] = 153,
    });

    public static readonly SyscallTable Arm64 = new(0xC00000B7, x32Bit: null, new Dictionary<string, uint>
    {
        ["mount"] = 40, ["umount2"] = 39, ["pivot_root"] = 41, ["chroot"] = 51, ["setns"] = 268, ["unshare"] = 97,
        ["clone"] = 220, ["clone3"] = 435, ["fchmod"] = 52, ["fchmodat"] = 53, ["fchmodat2"] = 452, ["ptrace"] = 117, ["process_vm_readv"] = 270, ["process_vm_writev"] = 271,
        ["pidfd_getfd"] = 438, ["process_madvise"] = 440, ["kcmp"] = 272,
        ["keyctl"] = 219, ["add_key"] = 217, ["request_key"] = 218, ["bpf"] = 280, ["perf_event_open"] = 241,
        ["io_uring_setup"] = 425, ["io_uring_enter"] = 426, ["io_uring_register"] = 427,
        ["init_module"] = 105, ["finit_module"] = 273, ["delete_module"] = 106, ["kexec_load"] = 104, ["kexec_file_load"] = 294,
        ["reboot"] = 142, ["swapon"] = 224, ["swapoff"] = 225, ["open_by_handle_at"] = 265, ["name_to_handle_at"] = 264,
        ["userfaultfd"] = 282, ["fsopen"] = 430, ["fsconfig"] = 431, ["fsmount"] = 432, ["fspick"] = 433, ["move_mount"] = 429,
        ["open_tree"] = 428, ["mount_setattr"] = 442, ["acct"] = 89, ["quotactl"] = 60, ["syslog"] = 116,
        ["lookup_dcookie"] = 18, ["vhangup"] = 58,
    });

    private SyscallTable(uint auditArch, uint? x32Bit, Dictionary<string, uint> numbers)
    {
        AuditArch = auditArch;
        X32Bit = x32Bit;
        Numbers = numbers.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The <c>AUDIT_ARCH_*</c> value a syscall of this architecture carries.</summary>
    public uint AuditArch { get; }

    /// <summary>x86_64's bit for the x32 ABI, whose numbers would slip past a filter of 64-bit ones.</summary>
    public uint? X32Bit { get; }

    public FrozenDictionary<string, uint> Numbers { get; }

    /// <summary>The table for the process's architecture; null where the relay has none (the filter is then refused).</summary>
    public static SyscallTable? ForCurrentProcess() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => X8664,
        Architecture.Arm64 => Arm64,
        _ => null,
    };
}
