using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Sessions.Wire;
using Cerver.Relay.Link;
using Cerver.Relay.Reports;
using Cerver.Relay.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cerver.Relay.Tests.Reports;

/// <summary>
/// The pusher of session reports against a loopback gateway that fails on demand, with real
/// outbox files in a temporary folder and a fake clock the test moves when the pump waits.
/// </summary>
public sealed class SessionReportsTests : IAsyncLifetime
{
    private const string Session = "ses_reports_test";
    private readonly TempDirectory _home = new("cerver-reports");
    private readonly TimerSignals _time = new();
    private readonly GatewayConnection _connection = new();
    private readonly HttpClient _http = new();
    private ReportGatewayStandIn _gateway = null!;

    private string Outboxes => Path.Combine(_home.Path, "reports");

    public async ValueTask InitializeAsync()
    {
        _gateway = await ReportGatewayStandIn.StartAsync();
        Register("crk_first_key");
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _http.Dispose();
        _home.Dispose();
    }

    [Fact]
    public async Task A_gateway_away_during_a_turn_gets_every_entry_once_and_in_order_when_it_is_back()
    {
        await using var reports = await StartAsync();
        _gateway.Mode = GatewayMode.Unavailable;
        var ids = Turn(reports, Session, entries: 250);

        // The status that opens the turn meets a gateway that is down, then one that drops the connection, then one that
        // stores a batch but whose answer is lost: each time the pump waits on the clock and tries again.
        await _time.NextWaitAsync();
        _gateway.Mode = GatewayMode.Away;
        _time.Advance(TimeSpan.FromMinutes(1));
        await _time.NextWaitAsync();
        _gateway.Mode = GatewayMode.Up;
        _gateway.LoseNextTranscriptAnswer = true;
        _time.Advance(TimeSpan.FromMinutes(1));
        await _time.NextWaitAsync();
        _time.Advance(TimeSpan.FromMinutes(1));
        await _gateway.WaitUntilAsync(g => g.Attempts.Any(a => a.Path == "status" && a.Body["status"]!.GetValue<string>() == "idle"));
        await WaitForAsync(() => reports.Snapshot.Pending == 0);

        Assert.Equal(ids, _gateway.Stored.Select(s => s.Entry["id"]!.GetValue<string>()));
        Assert.False(File.Exists(Path.Combine(Outboxes, Session + ".jsonl")), "a delivered outbox leaves no file");
        Assert.Equal(Enumerable.Range(0, 250).Select(i => $"entry {i}"), _gateway.Stored.Select(s => s.Entry["content"]!.GetValue<string>()));
        var transcriptAttempts = _gateway.Attempts.Where(a => a.Path == "transcript").ToList();
        Assert.Equal(4, transcriptAttempts.Count);
        Assert.All(transcriptAttempts, a => Assert.InRange(a.Body["entries"]!.AsArray().Count, 1, SessionReports.MaxBatchEntries));
        // The batch whose answer was lost went again with the same ids, which the gateway keeps once.
        var resent = transcriptAttempts.GroupBy(a => a.Body["entries"]![0]!["id"]!.GetValue<string>()).Single(g => g.Count() > 1);
        Assert.True(JsonNode.DeepEquals(resent.First().Body, resent.Last().Body));
        // The turn's order across kinds: running, the entries, the metadata, idle.
        Assert.Equal(["status", "transcript", "metadata", "status"], Collapse(_gateway.Attempts.Select(a => a.Path)));
        Assert.Equal("cmp_relay_b", _gateway.Attempts.Single(a => a.Path == "metadata").Body["metadata"]!["compute_id"]!.GetValue<string>());
        Assert.Equal(1 + 250 + 1 + 1, reports.Snapshot.Delivered);
        Assert.Equal(0, reports.Snapshot.Dropped);
        Assert.Contains("503", reports.Snapshot.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reports_left_on_disk_by_a_stopped_relay_are_sent_after_it_starts_again_once()
    {
        _gateway.Mode = GatewayMode.Unavailable;
        List<string> ids;
        await using (var before = await StartAsync())
        {
            ids = Turn(before, Session, entries: 30);
            await _time.NextWaitAsync();
            Assert.Equal(30 + 3, before.Snapshot.Pending);
        }

        Assert.Equal(33, File.ReadAllLines(Path.Combine(Outboxes, Session + ".jsonl")).Length);
        _gateway.Mode = GatewayMode.Up;
        await using var after = await StartAsync();
        await _gateway.WaitUntilAsync(g => g.Attempts.Any(a => a.Path == "status" && a.Body["status"]!.GetValue<string>() == "idle" && a.Session == Session && g.Mode == GatewayMode.Up));

        Assert.Equal(ids, _gateway.Stored.Select(s => s.Entry["id"]!.GetValue<string>()));
        // The one attempt before the stop, then each report once.
        Assert.Equal(["status", "status", "transcript", "metadata", "status"], _gateway.Attempts.Select(a => a.Path));
    }

    [Fact]
    public async Task A_line_cut_short_by_a_crash_is_dropped_and_the_rest_is_sent()
    {
        Directory.CreateDirectory(Outboxes);
        var file = Path.Combine(Outboxes, Session + ".jsonl");
        var outbox = SessionOutbox.Open(Outboxes, Session);
        outbox.Append(new OutboxItem { Kind = OutboxItemKind.Entry, Entry = Entry("whole") });
        File.AppendAllText(file, """{"kind":"entry","entry":{"id":"ent_cut","role":"assi""");

        await using var reports = await StartAsync();
        await _gateway.WaitUntilAsync(g => g.Stored.Count == 1);

        Assert.Equal("whole", Assert.Single(_gateway.Stored).Entry["content"]!.GetValue<string>());
        Assert.Equal(0, reports.Snapshot.Dropped);
    }

    [Fact]
    public async Task A_session_the_gateway_refuses_for_good_is_dropped_once_and_counted_while_others_go_on()
    {
        _gateway.Mode = GatewayMode.Unavailable;
        await using var reports = await StartAsync();
        Turn(reports, "ses_gone", entries: 5);
        var kept = Turn(reports, "ses_kept", entries: 5);
        await _time.NextWaitAsync();
        await _time.NextWaitAsync();
        _gateway.RefuseSession["ses_gone"] = 404;
        _gateway.Mode = GatewayMode.Up;
        _time.Advance(TimeSpan.FromMinutes(1));
        await _gateway.WaitUntilAsync(g => g.Attempts.Any(a => a.Session == "ses_kept" && a.Body["status"]?.GetValue<string>() == "idle"));
        await WaitForAsync(() => reports.Snapshot.Dropped > 0);

        Turn(reports, "ses_gone", entries: 2);

        Assert.Equal(kept, _gateway.Stored.Select(s => s.Entry["id"]!.GetValue<string>()));
        Assert.Equal(8 + 5, reports.Snapshot.Dropped);
        Assert.Contains("404", reports.Snapshot.LastDropped, StringComparison.Ordinal);
        Assert.Contains("ses_gone", reports.Snapshot.LastDropped, StringComparison.Ordinal);
        // One attempt while the gateway was down, the refusal, and nothing after it.
        Assert.Equal(2, _gateway.Attempts.Count(a => a.Session == "ses_gone"));
        Assert.False(File.Exists(Path.Combine(Outboxes, "ses_gone.jsonl")));
    }

    [Fact]
    public async Task An_entry_refused_for_its_content_is_the_only_one_dropped()
    {
        _gateway.PoisonContent = "entry 2";
        await using var reports = await StartAsync();
        var ids = Turn(reports, Session, entries: 5);
        await _gateway.WaitUntilAsync(g => g.Attempts.Any(a => a.Path == "status" && a.Body["status"]!.GetValue<string>() == "idle"));

        Assert.Equal(ids.Where((_, index) => index != 2), _gateway.Stored.Select(s => s.Entry["id"]!.GetValue<string>()));
        Assert.Equal(1, reports.Snapshot.Dropped);
        Assert.Contains("400", reports.Snapshot.LastDropped, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_key_stops_the_pushes_keeps_the_reports_and_a_new_key_sends_them()
    {
        _gateway.RefuseSession[Session] = 401;
        await using var reports = await StartAsync();
        var ids = Turn(reports, Session, entries: 3);
        await _gateway.WaitUntilAsync(g => g.Attempts.Count == 1);
        await _time.NextWaitAsync();

        Assert.True(reports.Snapshot.KeyRefused);
        Assert.Equal(6, reports.Snapshot.Pending);
        Assert.Equal(0, reports.Snapshot.Dropped);
        Assert.Equal(SessionReports.RegistrationRecheck, _time.Waits[^1]);

        _gateway.RefuseSession.Remove(Session);
        Register("crk_second_key");
        _time.Advance(SessionReports.RegistrationRecheck);
        await _gateway.WaitUntilAsync(g => g.Stored.Count == 3 && g.Attempts.Any(a => a.Body["status"]?.GetValue<string>() == "idle"));

        Assert.Equal(ids, _gateway.Stored.Select(s => s.Entry["id"]!.GetValue<string>()));
        Assert.All(_gateway.Attempts.Skip(1), a => Assert.Equal("crk_second_key", a.Key));
        Assert.False(reports.Snapshot.KeyRefused);
    }

    [Fact]
    public async Task Retry_after_is_honoured_and_other_retries_back_off_with_a_cap()
    {
        _gateway.Mode = GatewayMode.Unavailable;
        _gateway.RetryAfterSeconds = 120;
        await using var reports = await StartAsync();
        Turn(reports, Session, entries: 1);
        await _time.NextWaitAsync();
        Assert.Equal(TimeSpan.FromSeconds(120), _time.Waits[^1]);

        _gateway.RetryAfterSeconds = null;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            _time.Advance(TimeSpan.FromMinutes(10));
            await _time.NextWaitAsync();
        }

        Assert.Equal([2, 4, 8, 16, 32, 60, 60, 60, 60, 60], _time.Waits.Skip(1).Select(wait => wait.TotalSeconds));
    }

    [Fact]
    public async Task Entries_written_at_once_from_many_threads_keep_each_writers_order_and_arrive_once()
    {
        await using var reports = await StartAsync();
        var writers = Enumerable.Range(0, 8).Select(writer => Task.Run(() =>
        {
            for (var index = 0; index < 100; index++)
            {
                reports.Entry(Session, Entry($"{writer}:{index}"));
            }
        }, TestContext.Current.CancellationToken)).ToArray();
        await Task.WhenAll(writers);
        await _gateway.WaitUntilAsync(g => g.Stored.Count == 800);

        var contents = _gateway.Stored.Select(s => s.Entry["content"]!.GetValue<string>()).ToList();
        Assert.Equal(800, contents.Distinct().Count());
        for (var writer = 0; writer < 8; writer++)
        {
            var mine = contents.Where(c => c.StartsWith($"{writer}:", StringComparison.Ordinal)).Select(c => int.Parse(c[(c.IndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(Enumerable.Range(0, 100), mine);
        }
    }

    [Fact]
    public async Task A_relay_that_reports_to_no_gateway_keeps_nothing()
    {
        var offline = new GatewayConnection();
        offline.Disabled(GatewayConnectionState.Offline, null);
        await using var reports = new SessionReports(Outboxes, new SessionReportClient(_http), offline, Backoff(), _time, NullLogger<SessionReports>.Instance);
        await reports.StartAsync(TestContext.Current.CancellationToken);

        Turn(reports, Session, entries: 3);

        Assert.Equal(0, reports.Snapshot.Pending);
        Assert.False(Directory.Exists(Outboxes) && Directory.EnumerateFiles(Outboxes).Any());
    }

    /// <summary>Waits for the relay to act on an answer the gateway already gave (nothing on the wire says when).</summary>
    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        // Only a guard against a test that would otherwise hang: no result depends on it.
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    private static List<string> Collapse(IEnumerable<string> paths) =>
        paths.Aggregate(new List<string>(), (runs, path) =>
        {
            if (runs.Count == 0 || runs[^1] != path)
            {
                runs.Add(path);
            }

            return runs;
        });

    private async Task<SessionReports> StartAsync()
    {
        var reports = new SessionReports(Outboxes, new SessionReportClient(_http), _connection, Backoff(), _time, NullLogger<SessionReports>.Instance);
        await reports.StartAsync(TestContext.Current.CancellationToken);
        return reports;
    }

    /// <summary>The backoff the daemon uses, with its random half fixed at its top so the waits can be named.</summary>
    private static ReconnectBackoff Backoff() => new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), () => 1);

    private void Register(string key) =>
        _connection.Registered(new GatewayRegistration(_gateway.BaseUrl, key, "cmp_relay_b", "acc_test", null), _time.GetUtcNow());

    /// <summary>What a provider turn reports: running, its entries, its metadata, idle; returns the entries' ids in order.</summary>
    private static List<string> Turn(SessionReports reports, string session, int entries)
    {
        reports.Status(session, "running", null);
        var ids = new List<string>();
        for (var index = 0; index < entries; index++)
        {
            var entry = Entry($"entry {index}");
            ids.Add(entry.Id!);
            reports.Entry(session, entry);
        }

        reports.Metadata(session, new JsonObject { ["cli_tool"] = "claude", ["cli_session_id"] = "thread-1" });
        reports.Status(session, "idle", "succeeded");
        return ids;
    }

    private static AppendedEntry Entry(string content) => new()
    {
        Id = "ent_" + Guid.NewGuid().ToString("N"),
        At = DateTimeOffset.UtcNow,
        Role = "assistant",
        Kind = "text",
        Content = content,
    };
}
