using System.Runtime.InteropServices;

namespace Cerver.Relay.Compute.Files.Native;

/// <summary>
/// open(2) flag values, which are not portable: Linux arm64 numbers <c>O_DIRECTORY</c> and
/// <c>O_NOFOLLOW</c> differently from x86_64, and macOS differs in nearly every flag.
/// </summary>
internal sealed record OpenFlags(
    int ReadOnly,
    int WriteOnly,
    int Create,
    int Exclusive,
    int NoControllingTerminal,
    int NonBlocking,
    int Directory,
    int NoFollow,
    int CloseOnExec,
    int PathOnly,
    int NoFollowAny)
{
    private static readonly OpenFlags LinuxX64 = new(0, 1, 0x40, 0x80, 0x100, 0x800, 0x1_0000, 0x2_0000, 0x8_0000, 0x20_0000, 0);

    // The asm-generic values, shared by arm64 and riscv64.
    private static readonly OpenFlags LinuxGeneric = LinuxX64 with { Directory = 0x4000, NoFollow = 0x8000 };

    private static readonly OpenFlags MacOS = new(0, 1, 0x200, 0x800, 0x2_0000, 0x4, 0x10_0000, 0x100, 0x100_0000, 0, 0x2000_0000);

    public static readonly OpenFlags Current =
        OperatingSystem.IsMacOS() ? MacOS
        : RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86 ? LinuxX64
        : LinuxGeneric;

    /// <summary>A folder to resolve beneath, create in and fsync.</summary>
    public int Folder => ReadOnly | Directory | CloseOnExec;

    /// <summary>A file to read: never waits for a FIFO's writer, never takes a terminal.</summary>
    public int Read => ReadOnly | NonBlocking | NoControllingTerminal | CloseOnExec;

    /// <summary>A write's temporary: a new name in a checked folder, never an existing entry or a link.</summary>
    public int CreateNew => WriteOnly | Create | Exclusive | NoFollow | CloseOnExec;

    /// <summary>
    /// An entry looked at without following it or opening it for I/O. Linux opens the entry
    /// itself (<c>O_PATH</c>, so a link or a device is never opened); macOS has no
    /// <c>O_PATH</c> and answers a link with ELOOP.
    /// </summary>
    public int Inspect => PathOnly != 0
        ? PathOnly | NoFollow | CloseOnExec
        : ReadOnly | NonBlocking | NoControllingTerminal | NoFollow | CloseOnExec;
}
