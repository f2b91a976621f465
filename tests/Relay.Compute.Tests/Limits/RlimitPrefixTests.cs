using Cerver.Relay.Compute.Isolation;
using Cerver.Relay.Compute.Limits;
using Cerver.Relay.Compute.Runtimes;
using CliWrap;
using CliWrap.Buffered;

namespace Cerver.Relay.Compute.Tests.Limits;

/// <summary>The rlimit prefix, and the kernel behaviour its placement relies on, checked with real processes.</summary>
public sealed class RlimitPrefixTests
{
    private const string Python = "/usr/bin/python3";

    // Forks until told to stop or refused, prints how many, then keeps them alive a moment.
    private const string ForkUntilRefused =
        "import os, sys, time\nn = 0\ntry:\n    while n < int(sys.argv[1]):\n        if os.fork() == 0:\n            time.sleep(float(sys.argv[2])); os._exit(0)\n        n += 1\nexcept OSError:\n    pass\nprint(n, flush=True)\ntime.sleep(float(sys.argv[2]))";

    private static readonly ResourceLimits Small = new() { MemoryBytes = 256L * 1024 * 1024, Processes = 32, FileSizeBytes = 1024 * 1024, OpenFiles = 256 };

    [Fact]
    public void The_prefix_sets_every_bound_and_ends_the_options()
    {
        var prefix = RlimitPrefix.For(Small, "/usr/bin/prlimit", new Dictionary<string, ulong>());

        Assert.Equal(["/usr/bin/prlimit", "--data=268435456", "--nproc=32", "--fsize=1048576", "--nofile=256", "--core=0", "--"], prefix);
    }

    [Fact]
    public void No_bound_asks_for_more_than_the_daemons_own_hard_limit()
    {
        var limits = RlimitPrefix.ParseLimits(
            "Limit                     Soft Limit           Hard Limit           Units     \n" +
            "Max data size             unlimited            unlimited            bytes     \n" +
            "Max processes             96369                96369                processes \n" +
            "Max open files            1024                 1024                 files     \n");

        var prefix = RlimitPrefix.For(ResourceLimits.Default, "/usr/bin/prlimit", limits);

        Assert.Contains("--nofile=1024", prefix);
        Assert.Contains($"--data={ResourceLimits.Default.MemoryBytes}", prefix);
        Assert.Contains($"--nproc={ResourceLimits.Default.Processes}", prefix);
    }

    [Theory]
    [InlineData("node", "-e", "console.log(6 * 7)")]
    [InlineData(Python, "-c", "print(6 * 7)")]
    public async Task Runtimes_start_under_the_memory_limit(string runtime, string flag, string code)
    {
        var path = runtime.StartsWith('/') ? runtime : ExecutableSearch.Find(runtime);
        Assert.SkipWhen(path is null || !File.Exists(path), $"{runtime} is not installed");
        var prefix = RlimitPrefix.For(Small, RlimitPrefix.PrlimitPath!);

        var result = await Cli.Wrap(prefix[0]).WithArguments([.. prefix.Skip(1), path!, flag, code])
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();

        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Equal("42\n", result.StandardOutput);
    }

    [Fact]
    public async Task Inside_each_user_namespace_the_process_limit_counts_one_sandbox()
    {
        var bomb = RunSandboxAsync(limitsInside: true, forks: 500, hold: 3);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var other = await RunSandboxAsync(limitsInside: true, forks: 8, hold: 0.1);

        Assert.InRange(int.Parse((await bomb).StandardOutput.Trim(), System.Globalization.CultureInfo.InvariantCulture), 1, Small.Processes - 1);
        Assert.Equal("8", other.StandardOutput.Trim());
    }

    [Fact]
    public async Task In_front_of_bwrap_an_ordinary_users_sandboxes_would_share_one_count()
    {
        var bomb = RunSandboxAsync(limitsInside: false, forks: 500, hold: 3);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var other = await RunSandboxAsync(limitsInside: false, forks: 8, hold: 0.1);
        await bomb;

        Assert.NotEqual("8", other.StandardOutput.Trim());
    }

    /// <summary>
    /// One sandbox as an ordinary user would run it: as root the test first drops to a fixed
    /// unprivileged uid (the same one for both sandboxes, like one unprivileged daemon).
    /// </summary>
    private static Task<BufferedCommandResult> RunSandboxAsync(bool limitsInside, int forks, double hold)
    {
        Assert.SkipWhen(!File.Exists(Python) || ExecutableSearch.Find("bwrap") is null, "needs bwrap and /usr/bin/python3");
        var prefix = RlimitPrefix.For(Small, RlimitPrefix.PrlimitPath!);
        string[] bwrap = [ExecutableSearch.Find("bwrap")!, "--unshare-user", "--unshare-pid", "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--"];
        string[] command = [Python, "-c", ForkUntilRefused, forks.ToString(System.Globalization.CultureInfo.InvariantCulture), hold.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        string[] chain = limitsInside ? [.. bwrap, .. prefix, .. command] : [.. prefix, .. bwrap, .. command];
        string[] asUser = Environment.UserName == "root" ? ["setpriv", "--reuid", "61234", "--regid", "61234", "--clear-groups", "--"] : [];
        string[] full = [.. asUser, .. chain];
        return Cli.Wrap(full[0]).WithArguments(full.Skip(1)).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync().Task;
    }
}
