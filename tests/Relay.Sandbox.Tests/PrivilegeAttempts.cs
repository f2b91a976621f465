using Cerver.Relay.Compute.Isolation.Seccomp;
using Cerver.Relay.Sandbox.Tests.Infrastructure;

namespace Cerver.Relay.Sandbox.Tests;

/// <summary>
/// A sandbox never holds the daemon's privileges, whether the daemon is root (CI) or not: no
/// uid 0, no capability, no mount, no namespace of the host or a new one, no tracing, no keyring.
/// Every attempt prints ESCAPED only if it got what it asked for.
/// </summary>
[Collection(HostileGroup.Name)]
public sealed class PrivilegeAttempts(HostileDaemon hostile)
{
    [Fact]
    public async Task Sandboxed_code_is_never_uid_0_on_the_host()
    {
        var output = await hostile.AttemptAsync("id -u; awk '/^Uid:/ {print \"uid-line\", $2, $3, $4, $5}' /proc/self/status");
        Assert.DoesNotContain("uid-line 0", output.Stdout, StringComparison.Ordinal);
        if (Environment.IsPrivilegedProcess)
        {
            Assert.NotEqual("0", output.Stdout.Split('\n')[0].Trim());
        }
    }

    [Fact]
    public async Task Sandboxed_code_has_no_capability_in_any_set()
    {
        var output = await hostile.AttemptAsync("grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb):' /proc/self/status");
        foreach (var line in output.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.EndsWith("0000000000000000", line.Trim(), StringComparison.Ordinal);
        }

        Assert.Equal(5, output.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task No_new_privileges_is_set_so_set_uid_programs_give_nothing()
    {
        var output = await hostile.AttemptAsync("grep '^NoNewPrivs:' /proc/self/status");
        Assert.Contains("NoNewPrivs:\t1", output.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mount -t tmpfs none /tmp/x", "mount a tmpfs")]
    [InlineData("umount /tmp", "unmount the private /tmp")]
    [InlineData("umount -l /proc", "unmount /proc")]
    [InlineData("mount -o remount,rw /usr", "remount the system read-write")]
    [InlineData("mount --bind / /tmp/x", "bind the host root")]
    public async Task Mounts_are_refused(string command, string what)
    {
        var output = await hostile.AttemptAsync($"mkdir -p /tmp/x; {command} 2>&1 && echo ESCAPED-{what.Replace(' ', '-')}");
        Assert.DoesNotContain("ESCAPED", output.Stdout, StringComparison.Ordinal);
        hostile.AssertOutsideUntouched();
    }

    [Theory]
    [InlineData("unshare -U true", "a new user namespace")]
    [InlineData("unshare -r true", "root in a new user namespace")]
    [InlineData("unshare -m true", "a new mount namespace")]
    [InlineData("unshare -n true", "a new network namespace")]
    [InlineData("nsenter -t 1 -m -n true", "the namespaces of pid 1")]
    [InlineData("nsenter --mount=/proc/1/ns/mnt true", "a mount namespace by path")]
    public async Task Namespaces_cannot_be_made_or_joined(string command, string what)
    {
        var output = await hostile.AttemptAsync($"{command} 2>&1 && echo ESCAPED-{what.Replace(' ', '-')}");
        Assert.DoesNotContain("ESCAPED", output.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ptrace", "16, 1, 0, 0")]
    [InlineData("keyctl", "0, 0, 0, 0")]
    [InlineData("add_key", "0, 0, 0, 0")]
    [InlineData("bpf", "0, 0, 0, 0")]
    [InlineData("perf_event_open", "0, 0, -1, -1")]
    [InlineData("io_uring_setup", "8, 0, 0, 0")]
    [InlineData("userfaultfd", "0, 0, 0, 0")]
    [InlineData("init_module", "0, 0, 0, 0")]
    [InlineData("finit_module", "0, 0, 0, 0")]
    [InlineData("kexec_load", "0, 0, 0, 0")]
    [InlineData("reboot", "0, 0, 0, 0")]
    [InlineData("setns", "0, 0, 0, 0")]
    [InlineData("unshare", "0x10000000, 0, 0, 0")]
    [InlineData("chroot", "0, 0, 0, 0")]
    [InlineData("open_by_handle_at", "0, 0, 0, 0")]
    [InlineData("process_vm_readv", "1, 0, 0, 0")]
    [InlineData("pidfd_getfd", "0, 0, 0, 0")]
    [InlineData("fsopen", "0, 0, 0, 0")]
    public async Task The_seccomp_filter_refuses_what_sandboxed_code_never_needs(string syscall, string arguments)
    {
        var number = SyscallTable.ForCurrentProcess()!.Numbers[syscall];
        var output = await hostile.AttemptAsync(
            $"python3 -c \"import ctypes; l = ctypes.CDLL(None, use_errno=True); r = l.syscall({number}, {arguments}); print('result', r, ctypes.get_errno())\"");
        Assert.Contains($"result -1 {SeccompFilter.Eperm}", output.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clone_with_a_new_user_namespace_is_refused_and_clone3_falls_back()
    {
        // clone(CLONE_NEWUSER | SIGCHLD) straight through the syscall, then an ordinary fork through the C library.
        var clone = SyscallTable.ForCurrentProcess()!.Numbers["clone"];
        var output = await hostile.AttemptAsync(
            $"python3 -c \"import ctypes, os; l = ctypes.CDLL(None, use_errno=True); r = l.syscall({clone}, 0x10000011, 0, 0, 0, 0); print('clone', r, ctypes.get_errno()); pid = os.fork(); os._exit(0) if pid == 0 else print('fork ok', os.waitpid(pid, 0)[1])\"");
        Assert.Contains($"clone -1 {SeccompFilter.Eperm}", output.Stdout, StringComparison.Ordinal);
        Assert.Contains("fork ok 0", output.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_daemon_is_not_in_the_sandboxs_process_table()
    {
        var output = await hostile.AttemptAsync($"ls /proc | grep -x {Environment.ProcessId} && echo ESCAPED; cat /proc/{Environment.ProcessId}/environ 2>&1 | grep -a CERVER && echo ESCAPED-environ; ls /proc | grep -cE '^[0-9]+$'");
        Assert.DoesNotContain("ESCAPED", output.Stdout, StringComparison.Ordinal);
        var count = int.Parse(output.Stdout.Trim().Split('\n')[^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(count < 10, $"the sandbox's /proc lists {count} processes: it is not its own PID namespace");
    }

    [Fact]
    public async Task Pid_1_of_the_sandbox_gives_away_neither_memory_nor_environment()
    {
        // pid 1 is the sandbox's own init, so its environment is the sandbox's: never the daemon's.
        var output = await hostile.AttemptAsync("cat /proc/1/environ 2>/dev/null | tr '\\0' '\\n' | grep -a -e CERVER_API_KEY -e CERVER_HOME && echo ESCAPED-environ; dd if=/proc/1/mem bs=1 count=1 skip=4194304 2>/dev/null && echo ESCAPED-mem; true");
        Assert.DoesNotContain("ESCAPED", output.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(HostileDaemon.AccountKey, output.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Root_only_host_files_stay_unreadable()
    {
        var output = await hostile.AttemptAsync("for f in /etc/shadow /etc/gshadow /etc/ssh/ssh_host_ed25519_key /etc/sudoers; do [ -e $f ] && head -c 64 $f >/dev/null 2>&1 && echo ESCAPED-$f; done; true");
        Assert.DoesNotContain("ESCAPED", output.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Becoming_root_again_through_setuid_fails()
    {
        var output = await hostile.AttemptAsync("python3 -c \"import os; os.setuid(0); print('ESCAPED')\" 2>&1; su -c 'echo ESCAPED-su' 2>&1 </dev/null; true");
        Assert.DoesNotContain("ESCAPED", output.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_system_is_read_only_even_where_its_modes_would_allow()
    {
        var output = await hostile.AttemptAsync("for d in /usr /etc /bin /usr/local/bin; do touch $d/cerver-probe 2>/dev/null && echo ESCAPED-$d; done; true");
        Assert.DoesNotContain("ESCAPED", output.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists("/usr/local/bin/cerver-probe"));
    }

    [Fact]
    public async Task No_dotnet_diagnostics_socket_of_the_daemon_is_reachable()
    {
        var output = await hostile.AttemptAsync("find / -xdev -name 'dotnet-diagnostic-*' 2>/dev/null; ls -a /tmp");
        Assert.DoesNotContain("dotnet-diagnostic", output.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/opt")]
    [InlineData("/mnt")]
    [InlineData("/srv")]
    [InlineData("/work")]
    [InlineData("/home")]
    [InlineData("/root")]
    [InlineData("/var/lib")]
    public async Task Host_trees_other_than_the_system_are_not_visible(string folder)
    {
        var output = await hostile.AttemptAsync($"ls -A {folder} 2>/dev/null | grep -v -e '^\\.cerver' -e '^\\.pyenv$' | head -3; echo end");
        var listed = output.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => line != "end").ToList();
        var onHost = OnHost(folder);
        Assert.True(listed.Count == 0 || onHost == 0, $"{folder} shows {string.Join(", ", listed)} inside the sandbox");
    }

    /// <summary>How many entries the host folder has; a folder this user may not list counts as full.</summary>
    private static int OnHost(string folder)
    {
        try
        {
            return Directory.Exists(folder) ? Directory.EnumerateFileSystemEntries(folder).Count() : 0;
        }
        catch (UnauthorizedAccessException)
        {
            return int.MaxValue;
        }
    }

    [Fact]
    public async Task The_sentinel_outside_the_workspace_is_invisible()
    {
        var output = await hostile.AttemptAsync($"cat '{hostile.Sentinel}/secret.txt' 2>&1; ls '{hostile.Sentinel}' 2>&1; echo x > '{hostile.Sentinel}/planted' 2>&1; true");
        Assert.DoesNotContain(HostileDaemon.SentinelSecret, output.Stdout, StringComparison.Ordinal);
        hostile.AssertOutsideUntouched();
    }
}
