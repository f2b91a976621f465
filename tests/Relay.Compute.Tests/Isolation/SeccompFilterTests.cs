using System.Buffers.Binary;
using Cerver.Relay.Compute.Isolation.Seccomp;

namespace Cerver.Relay.Compute.Tests.Isolation;

/// <summary>
/// The filter's program, run through a small interpreter of the classic-BPF subset it uses: what
/// the kernel would answer for each syscall on each architecture.
/// </summary>
public sealed class SeccompFilterTests
{
    public static TheoryData<string> Tables => ["x86_64", "arm64"];

    [Theory]
    [MemberData(nameof(Tables))]
    public void Every_denied_syscall_is_eperm_and_ordinary_ones_are_allowed(string arch)
    {
        var table = Table(arch);
        foreach (var name in SeccompFilter.Denied.Where(table.Numbers.ContainsKey))
        {
            Assert.Equal(SeccompFilter.ReturnErrno | SeccompFilter.Eperm, Evaluate(table, table.Numbers[name]));
        }

        foreach (var ordinary in new uint[] { 0, 1, 2, 3, 59, 60, 231 })
        {
            if (!table.Numbers.Values.Contains(ordinary))
            {
                Assert.Equal(SeccompFilter.ReturnAllow, Evaluate(table, ordinary));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public void Clone_is_refused_only_with_a_namespace_flag_and_clone3_is_enosys(string arch)
    {
        var table = Table(arch);
        Assert.Equal(SeccompFilter.ReturnAllow, Evaluate(table, table.Numbers["clone"], 0x01200011));
        Assert.Equal(SeccompFilter.ReturnErrno | SeccompFilter.Eperm, Evaluate(table, table.Numbers["clone"], 0x10000011));
        Assert.Equal(SeccompFilter.ReturnErrno | SeccompFilter.Eperm, Evaluate(table, table.Numbers["clone"], 0x00020000));
        Assert.Equal(SeccompFilter.ReturnErrno | SeccompFilter.Enosys, Evaluate(table, table.Numbers["clone3"]));
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public void Chmod_may_set_any_mode_but_a_set_id_bit(string arch)
    {
        var table = Table(arch);
        foreach (var rule in SeccompFilter.ArgumentRules.Where(rule => rule.Syscall.Contains("chmod", StringComparison.Ordinal) && table.Numbers.ContainsKey(rule.Syscall)))
        {
            var number = table.Numbers[rule.Syscall];
            Assert.Equal(SeccompFilter.ReturnAllow, Evaluate(table, number, 0x1ED, argument: (int)rule.Argument));
            Assert.Equal(SeccompFilter.ReturnErrno | SeccompFilter.Eperm, Evaluate(table, number, 0x9ED, argument: (int)rule.Argument));
            Assert.Equal(SeccompFilter.ReturnErrno | SeccompFilter.Eperm, Evaluate(table, number, 0x5ED, argument: (int)rule.Argument));
        }
    }

    [Fact]
    public void Another_architecture_is_killed_and_x32_calls_are_refused()
    {
        Assert.Equal(SeccompFilter.ReturnKillProcess, Evaluate(SyscallTable.X8664, 1, auditArch: 0x40000003));
        Assert.Equal(SeccompFilter.ReturnErrno | SeccompFilter.Eperm, Evaluate(SyscallTable.X8664, 0x40000000 + 1));
    }

    [Fact]
    public void The_compiled_program_is_whole_sock_filter_entries()
    {
        var bytes = SeccompFilter.Build(SyscallTable.X8664);
        Assert.Equal(0, bytes.Length % 8);
        Assert.Equal(SeccompFilter.Instructions(SyscallTable.X8664).Count, bytes.Length / 8);
        Assert.Equal(SeccompFilter.ReturnErrno | SeccompFilter.Eperm, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4)));
    }

    private static SyscallTable Table(string arch) => arch == "x86_64" ? SyscallTable.X8664 : SyscallTable.Arm64;

    /// <summary>Runs the program over a <c>struct seccomp_data</c> of one call.</summary>
    private static uint Evaluate(SyscallTable table, uint number, uint firstArgument = 0, uint? auditArch = null, int argument = 0)
    {
        var data = new byte[64];
        BinaryPrimitives.WriteUInt32LittleEndian(data, number);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), auditArch ?? table.AuditArch);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(16 + (8 * argument)), firstArgument);
        var program = SeccompFilter.Instructions(table);
        uint accumulator = 0;
        for (var pc = 0; pc < program.Count; pc++)
        {
            var instruction = program[pc];
            switch (instruction.Code)
            {
                case 0x20:
                    accumulator = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)instruction.Value));
                    break;
                case 0x15:
                    pc += accumulator == instruction.Value ? instruction.JumpTrue : instruction.JumpFalse;
                    break;
                case 0x35:
                    pc += accumulator >= instruction.Value ? instruction.JumpTrue : instruction.JumpFalse;
                    break;
                case 0x45:
                    pc += (accumulator & instruction.Value) != 0 ? instruction.JumpTrue : instruction.JumpFalse;
                    break;
                case 0x06:
                    return instruction.Value;
                default:
                    throw new InvalidOperationException($"unexpected BPF code {instruction.Code:x}");
            }
        }

        throw new InvalidOperationException("the program fell off its end");
    }
}
