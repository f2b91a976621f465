using System.Text;
using System.Text.Json.Nodes;
using Cerver.Relay.Compute;
using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Conformance;

/// <summary>
/// The compute contract (SPEC section 4) as behaviours every <see cref="ICompute"/> keeps. Each
/// implementation runs this same class against a real daemon, so the gateway can route to this
/// machine or a linked relay without knowing which: same results, same refusals (kind, code and
/// message) at the same moment.
/// </summary>
public abstract class ComputeContractTests(IComputeFixture fixture)
{
    private const string UnknownSandbox = "sbx_doesnotexist0000";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private ICompute Compute => fixture.Compute;

    public static TheoryData<string> Operations =>
        ["get", "run", "stream", "install", "write", "read", "getState", "setState", "delete"];

    [Fact]
    public async Task A_sandbox_is_created_read_listed_and_deleted_with_its_workspace()
    {
        var created = await Compute.CreateSandboxAsync(new CreateSandboxRequest { Metadata = new JsonObject { ["owner"] = "suite" } }, Cancel);
        Assert.StartsWith("sbx_", created.SandboxId, StringComparison.Ordinal);
        Assert.Equal(Compute.ComputeId, created.ComputeId);
        Assert.Equal(("ready", "shell", false), (created.Status, created.Runtime, created.Network));
        Assert.True(created.ExpiresAt > created.CreatedAt);
        Assert.True(Directory.Exists(fixture.Machine.WorkspaceOf(created.SandboxId)));

        var read = await Compute.GetSandboxAsync(created.SandboxId, Cancel);
        Assert.Equal((created.SandboxId, "suite"), (read.SandboxId, read.Metadata["owner"]!.GetValue<string>()));
        Assert.Contains(await Compute.ListSandboxesAsync(Cancel), listed => listed.SandboxId == created.SandboxId);

        Assert.Equal(new DeleteSandboxResult(created.SandboxId, "terminated"), await Compute.DeleteSandboxAsync(created.SandboxId, Cancel));
        Assert.False(Directory.Exists(fixture.Machine.WorkspaceOf(created.SandboxId)));
        Assert.DoesNotContain(await Compute.ListSandboxesAsync(Cancel), listed => listed.SandboxId == created.SandboxId);
        await AssertRefusedAsync(ComputeErrorKind.NotFound, "sandbox_not_found", () => Compute.GetSandboxAsync(created.SandboxId, Cancel));
    }

    [Fact]
    public async Task A_run_keeps_stdout_stderr_exit_code_stdin_env_and_cwd_apart()
    {
        var sandbox = await NewSandboxAsync();
        await Compute.WriteFileAsync(sandbox, new WriteFileRequest { Path = "sub/keep", Content = "" }, Cancel);

        var run = await Compute.RunSandboxAsync(sandbox, new RunRequest
        {
            Code = "echo \"$GREETING from $(basename \"$PWD\")\"; cat; echo err >&2; exit 3",
            Cwd = "sub",
            Env = new Dictionary<string, string> { ["GREETING"] = "hello" },
            Stdin = "piped in\n",
        }, Cancel);

        Assert.Equal((sandbox, "hello from sub\npiped in\n", "err\n", 3), (run.SandboxId, run.Stdout, run.Stderr, run.ExitCode));
        Assert.False(run.TimedOut);
        Assert.False(run.Truncated);
    }

    [Fact]
    public async Task A_stream_is_accepted_then_carries_output_as_it_comes_and_ends_with_one_exit()
    {
        var sandbox = await NewSandboxAsync();

        var events = await CollectAsync(Compute.RunSandboxStreamAsync(sandbox, new RunRequest { Code = "echo one; echo two >&2; echo three; exit 4" }, Cancel));

        Assert.IsType<RunAcceptedEvent>(events[0]);
        Assert.Equal(new RunExitEvent(4, ((RunExitEvent)events[^1]).DurationMs, false), events[^1]);
        Assert.Single(events, item => item is RunAcceptedEvent);
        Assert.Single(events, item => item is RunExitEvent);
        var output = events.OfType<RunOutputEvent>().ToList();
        Assert.Equal("one\nthree\n", string.Concat(output.Where(item => item.Kind == OutputKind.Stdout).Select(item => item.Text)));
        Assert.Equal("two\n", string.Concat(output.Where(item => item.Kind == OutputKind.Stderr).Select(item => item.Text)));
    }

    [Theory]
    [InlineData("unknown sandbox", UnknownSandbox, "true", null, ComputeErrorKind.NotFound, "sandbox_not_found")]
    [InlineData("no code", null, "", null, ComputeErrorKind.InvalidInput, "invalid_request")]
    [InlineData("bad timeout", null, "true", -1.0, ComputeErrorKind.InvalidInput, "invalid_request")]
    public async Task A_refused_stream_throws_from_its_first_MoveNext_before_any_event(string why, string? sandboxId, string code, double? timeout, ComputeErrorKind kind, string errorCode)
    {
        var sandbox = sandboxId ?? await NewSandboxAsync();

        // The call itself never throws: a linked compute cannot know the answer yet.
        var events = Compute.RunSandboxStreamAsync(sandbox, new RunRequest { Code = code, Timeout = timeout }, Cancel);
        await using var enumerator = events.GetAsyncEnumerator(Cancel);

        var error = await Assert.ThrowsAsync<ComputeException>(async () => await enumerator.MoveNextAsync());
        Assert.True((kind, errorCode) == (error.Kind, error.Code), $"{why}: got {error.Kind} {error.Code}: {error.Message}");
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Every_call_on_an_unknown_sandbox_is_refused_alike(string operation)
    {
        var error = await Assert.ThrowsAsync<ComputeException>(() => CallAsync(operation, UnknownSandbox));

        Assert.Equal((ComputeErrorKind.NotFound, "sandbox_not_found"), (error.Kind, error.Code));
        Assert.Equal(ComputeException.SandboxNotFound(UnknownSandbox).Message, error.Message);
    }

    [Fact]
    public async Task Package_requests_are_checked_before_anything_is_installed()
    {
        var sandbox = await NewSandboxAsync();

        await AssertRefusedAsync(ComputeErrorKind.InvalidInput, "invalid_request",
            () => Compute.InstallPackageAsync(sandbox, new InstallPackageRequest { Manager = "cargo", Packages = ["x"] }, Cancel), "manager:");
        await AssertRefusedAsync(ComputeErrorKind.InvalidInput, "invalid_request",
            () => Compute.InstallPackageAsync(sandbox, new InstallPackageRequest { Manager = "npm", Packages = [] }, Cancel), "packages:");
        await AssertRefusedAsync(ComputeErrorKind.InvalidInput, "invalid_request",
            () => Compute.InstallPackageAsync(sandbox, new InstallPackageRequest { Manager = "pip", Packages = ["--index-url=http://evil"] }, Cancel), "packages[0]:");
    }

    [Fact]
    public async Task Files_round_trip_as_utf8_and_base64()
    {
        var sandbox = await NewSandboxAsync();
        var binary = new byte[] { 0, 255, 128, 10, 13, 0xC3 };

        Assert.Equal(new WriteFileResult("dir/hello.txt", 6), await Compute.WriteFileAsync(sandbox, new WriteFileRequest { Path = "./dir/hello.txt", Content = "héllo" }, Cancel));
        Assert.Equal(new WriteFileResult("blob.bin", binary.Length),
            await Compute.WriteFileAsync(sandbox, new WriteFileRequest { Path = "blob.bin", Content = Convert.ToBase64String(binary), Encoding = "base64" }, Cancel));

        Assert.Equal(new ReadFileResult("dir/hello.txt", "héllo", "utf8", 6), await Compute.ReadFileAsync(sandbox, "dir/hello.txt", FileEncoding.Utf8, Cancel));
        Assert.Equal(new ReadFileResult("dir/hello.txt", Convert.ToBase64String("héllo"u8.ToArray()), "base64", 6),
            await Compute.ReadFileAsync(sandbox, "dir/hello.txt", FileEncoding.Base64, Cancel));
        Assert.Equal(binary, Convert.FromBase64String((await Compute.ReadFileAsync(sandbox, "blob.bin", FileEncoding.Base64, Cancel)).Content));
        Assert.Equal("héllo", await File.ReadAllTextAsync(Path.Combine(fixture.Machine.WorkspaceOf(sandbox), "dir", "hello.txt"), Cancel));
        Assert.Equal("héllo", (await Compute.RunSandboxAsync(sandbox, new RunRequest { Code = "cat dir/hello.txt" }, Cancel)).Stdout);
    }

    [Fact]
    public async Task File_calls_refuse_paths_that_leave_the_workspace_and_say_why_others_fail()
    {
        var sandbox = await NewSandboxAsync();
        await Compute.RunSandboxAsync(sandbox, new RunRequest { Code = "mkdir folder; printf '\\377\\376' > latin1.bin" }, Cancel);

        foreach (var path in new[] { "../escape.txt", "dir/../../escape.txt", "/etc/passwd" })
        {
            await AssertRefusedAsync(ComputeErrorKind.InvalidInput, "path_outside_workspace",
                () => Compute.WriteFileAsync(sandbox, new WriteFileRequest { Path = path, Content = "x" }, Cancel));
            await AssertRefusedAsync(ComputeErrorKind.InvalidInput, "path_outside_workspace", () => Compute.ReadFileAsync(sandbox, path, FileEncoding.Utf8, Cancel));
        }

        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(fixture.Machine.WorkspaceOf(sandbox))!, "escape.txt")));
        await AssertRefusedAsync(ComputeErrorKind.NotFound, "file_not_found", () => Compute.ReadFileAsync(sandbox, "missing.txt", FileEncoding.Utf8, Cancel));
        await AssertRefusedAsync(ComputeErrorKind.Conflict, "path_is_directory", () => Compute.ReadFileAsync(sandbox, "folder", FileEncoding.Utf8, Cancel));
        await AssertRefusedAsync(ComputeErrorKind.Unprocessable, "not_utf8", () => Compute.ReadFileAsync(sandbox, "latin1.bin", FileEncoding.Utf8, Cancel));
        await AssertRefusedAsync(ComputeErrorKind.InvalidInput, "invalid_request",
            () => Compute.WriteFileAsync(sandbox, new WriteFileRequest { Path = "x.bin", Content = "not base64!", Encoding = "base64" }, Cancel));
    }

    [Fact]
    public async Task The_largest_legal_file_of_multi_byte_text_round_trips_and_one_byte_more_is_refused_both_ways()
    {
        var sandbox = await NewSandboxAsync();
        var limit = new ComputeOptions().MaxFileBytes;
        var text = MultiByteText(limit);

        Assert.Equal(limit, (await Compute.WriteFileAsync(sandbox, new WriteFileRequest { Path = "big.txt", Content = text }, Cancel)).Size);
        var read = await Compute.ReadFileAsync(sandbox, "big.txt", FileEncoding.Utf8, Cancel);
        Assert.Equal(limit, read.Size);
        Assert.True(text == read.Content, "the 16 MiB of multi-byte text came back changed");

        await AssertRefusedAsync(ComputeErrorKind.TooLarge, "file_too_large", () => Compute.WriteFileAsync(sandbox, new WriteFileRequest { Path = "bigger.txt", Content = text + "x" }, Cancel));
        Assert.Equal(0, (await Compute.RunSandboxAsync(sandbox, new RunRequest { Code = "{ cat big.txt; printf x; } > bigger.txt" }, Cancel)).ExitCode);
        await AssertRefusedAsync(ComputeErrorKind.TooLarge, "file_too_large", () => Compute.ReadFileAsync(sandbox, "bigger.txt", FileEncoding.Utf8, Cancel));
    }

    [Fact]
    public async Task State_starts_empty_and_keeps_what_was_set()
    {
        var sandbox = await NewSandboxAsync();

        var empty = await Compute.GetStateAsync(sandbox, Cancel);
        Assert.Equal((sandbox, 0), (empty.SandboxId, empty.State.Count));

        var set = await Compute.SetStateAsync(sandbox, new JsonObject { ["step"] = 2, ["notes"] = new JsonArray("ü", "日本") }, Cancel);
        Assert.Equal(2, set.State["step"]!.GetValue<int>());
        Assert.NotNull(set.UpdatedAt);

        var read = await Compute.GetStateAsync(sandbox, Cancel);
        Assert.Equal("""{"step":2,"notes":["ü","日本"]}""", read.State.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        // The store keeps milliseconds; setState answers with the instant it stored.
        Assert.Equal(set.UpdatedAt!.Value.ToUnixTimeMilliseconds(), read.UpdatedAt!.Value.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task A_run_past_its_timeout_is_killed_with_everything_it_started()
    {
        var sandbox = await NewSandboxAsync();
        var marker = "conformance-timeout-" + Guid.NewGuid().ToString("N");

        var run = await Compute.RunSandboxAsync(sandbox, new RunRequest { Code = $"sh -c 'sleep 300; : {marker}' & echo started; wait", Timeout = 1 }, Cancel);

        Assert.True(run.TimedOut);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Equal("started\n", run.Stdout);
        Assert.Equal(0, await ProcessTable.WaitUntilGoneAsync(marker, TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Cancelling_a_running_call_kills_its_processes()
    {
        var sandbox = await NewSandboxAsync();
        var marker = "conformance-cancel-" + Guid.NewGuid().ToString("N");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Cancel);

        var running = Compute.RunSandboxAsync(sandbox, new RunRequest { Code = $"sh -c 'sleep 300; : {marker}' & wait", Timeout = 600 }, cancel.Token);
        while (ProcessTable.CountWithArgument(marker) == 0)
        {
            Assert.False(running.IsCompleted, "the run ended before it was seen running");
            await Task.Delay(20, Cancel);
        }

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Equal(0, await ProcessTable.WaitUntilGoneAsync(marker, TimeSpan.FromSeconds(20)));
    }

    private async Task<string> NewSandboxAsync() => (await Compute.CreateSandboxAsync(new CreateSandboxRequest(), Cancel)).SandboxId;

    private Task CallAsync(string operation, string sandbox) => operation switch
    {
        "get" => Compute.GetSandboxAsync(sandbox, Cancel),
        "run" => Compute.RunSandboxAsync(sandbox, new RunRequest { Code = "true" }, Cancel),
        "stream" => CollectAsync(Compute.RunSandboxStreamAsync(sandbox, new RunRequest { Code = "true" }, Cancel)),
        "install" => Compute.InstallPackageAsync(sandbox, new InstallPackageRequest { Manager = "npm", Packages = ["left-pad"] }, Cancel),
        "write" => Compute.WriteFileAsync(sandbox, new WriteFileRequest { Path = "a.txt", Content = "a" }, Cancel),
        "read" => Compute.ReadFileAsync(sandbox, "a.txt", FileEncoding.Utf8, Cancel),
        "getState" => Compute.GetStateAsync(sandbox, Cancel),
        "setState" => Compute.SetStateAsync(sandbox, new JsonObject { ["a"] = 1 }, Cancel),
        "delete" => Compute.DeleteSandboxAsync(sandbox, Cancel),
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "not an operation of the suite"),
    };

    private static async Task<List<RunStreamEvent>> CollectAsync(IAsyncEnumerable<RunStreamEvent> events)
    {
        var collected = new List<RunStreamEvent>();
        await foreach (var item in events)
        {
            collected.Add(item);
        }

        return collected;
    }

    private static async Task AssertRefusedAsync(ComputeErrorKind kind, string code, Func<Task> call, string? messageStart = null)
    {
        var error = await Assert.ThrowsAsync<ComputeException>(call);
        Assert.True((kind, code) == (error.Kind, error.Code), $"expected {kind} {code}, got {error.Kind} {error.Code}: {error.Message}");
        if (messageStart is not null)
        {
            Assert.StartsWith(messageStart, error.Message, StringComparison.Ordinal);
        }
    }

    // Two-, three- and four-byte characters, then ASCII to land on exactly `bytes` bytes:
    // escaped as \uXXXX on the link this would be about three times as large.
    private static string MultiByteText(long bytes)
    {
        const string Pattern = "é日本語✓😀";
        var patternBytes = Encoding.UTF8.GetByteCount(Pattern);
        var repeats = bytes / patternBytes;
        return new StringBuilder((int)bytes).Insert(0, Pattern, (int)repeats).Append('x', (int)(bytes - repeats * patternBytes)).ToString();
    }
}

public sealed class LocalComputeContractTests(LocalComputeFixture fixture) : ComputeContractTests(fixture), IClassFixture<LocalComputeFixture>;

public sealed class LinkedComputeContractTests(LinkedComputeFixture fixture) : ComputeContractTests(fixture), IClassFixture<LinkedComputeFixture>;
