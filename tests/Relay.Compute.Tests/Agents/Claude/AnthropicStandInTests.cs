using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cerver.Relay.TestKit.ModelStandIns;

namespace Cerver.Relay.Compute.Tests.Agents.Claude;

/// <summary>The loopback Messages API the Claude Code tests run against, driven by its directives.</summary>
public sealed class AnthropicStandInTests : IAsyncLifetime
{
    private static readonly JsonArray BashTool = [new JsonObject { ["name"] = "Bash", ["input_schema"] = new JsonObject() }];

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private AnthropicStandIn _api = null!;

    public async ValueTask InitializeAsync() => _api = await AnthropicStandIn.StartAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task A_call_is_echoed_as_one_message_with_the_usage_and_recorded()
    {
        using var response = await PostAsync(Request(User("hello")), ("x-api-key", "sk-test"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal("echo: hello", (string?)message["content"]![0]!["text"]);
        Assert.Equal("end_turn", (string?)message["stop_reason"]);
        Assert.Equal(AnthropicStandIn.InputTokens, (int?)message["usage"]!["input_tokens"]);
        Assert.Equal(AnthropicStandIn.OutputTokens, (int?)message["usage"]!["output_tokens"]);
        var recorded = Assert.Single(_api.Requests);
        Assert.Equal("sk-test", recorded.Header("X-Api-Key"));
        Assert.Equal(("/v1/messages", "?beta=true"), (recorded.Path, recorded.Query));
    }

    [Fact]
    public async Task The_latest_user_text_is_read_past_claude_s_reminders()
    {
        var content = new JsonArray(
            new JsonObject { ["type"] = "text", ["text"] = "<system-reminder>\nbe nice\n</system-reminder>" },
            new JsonObject { ["type"] = "text", ["text"] = "the question\n" });
        var request = Request(User("an older one"), new JsonObject { ["role"] = "assistant", ["content"] = "ok" }, new JsonObject { ["role"] = "user", ["content"] = content });

        Assert.Equal("echo: the question", (string?)(await MessageAsync(request))["content"]![0]!["text"]);
    }

    [Fact]
    public async Task A_streamed_call_answers_the_messages_events()
    {
        var request = Request(User("[[think]] [[bash: ls -la]]"));
        request["stream"] = true;
        request["tools"] = BashTool.DeepClone();

        using var response = await PostAsync(request);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(item => JsonNode.Parse(item.Split("data: ")[1])!).ToList();
        Assert.Equal(
            ["message_start", "ping", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
             "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
            events.Select(item => (string?)item["type"]));
        Assert.Equal("thinking about: [[think]] [[bash: ls -la]]", (string?)events[3]["delta"]!["thinking"]);
        Assert.Equal("Bash", (string?)events[6]["content_block"]!["name"]);
        Assert.Equal("ls -la", (string?)JsonNode.Parse((string)events[7]["delta"]!["partial_json"]!)!["command"]);
        Assert.Equal("tool_use", (string?)events[9]["delta"]!["stop_reason"]);
    }

    [Fact]
    public async Task A_bash_directive_without_the_tool_offered_is_only_echoed()
    {
        var message = await MessageAsync(Request(User("[[bash: ls]]")));

        Assert.Equal("text", (string?)message["content"]![0]!["type"]);
    }

    [Fact]
    public async Task A_tool_result_is_answered_with_its_text()
    {
        var result = new JsonArray(new JsonObject
        {
            ["type"] = "tool_result",
            ["tool_use_id"] = "toolu_1",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "  hi\n" }),
        });
        var request = Request(User("[[bash: echo hi]]"), new JsonObject { ["role"] = "user", ["content"] = result });
        request["tools"] = BashTool.DeepClone();

        Assert.Equal("tool said: hi", (string?)(await MessageAsync(request))["content"]![0]!["text"]);
    }

    [Theory]
    [InlineData(400, "invalid_request_error")]
    [InlineData(401, "authentication_error")]
    [InlineData(529, "overloaded_error")]
    public async Task An_error_directive_answers_its_status_with_an_anthropic_error(int status, string type)
    {
        using var response = await PostAsync(Request(User($"[[sleep: 10]] [[error: {status}]]")));

        Assert.Equal(status, (int)response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal("error", (string?)error["type"]);
        Assert.Equal(type, (string?)error["error"]!["type"]);
    }

    [Fact]
    public async Task A_hanging_call_is_answered_by_nothing_but_the_stand_in_stopping()
    {
        var call = PostAsync(Request(User("[[hang]]")));
        while (_api.Requests.Count == 0)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.False(call.IsCompleted);
        await _api.DisposeAsync();

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => call);
    }

    [Fact]
    public async Task Start_up_calls_are_answered_at_once()
    {
        using var hello = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"{_api.BaseUrl}/api/hello"), TestContext.Current.CancellationToken);
        using var count = await PostAsync(Request(User("hello")), path: "/v1/messages/count_tokens");
        var models = JsonNode.Parse(await _http.GetStringAsync($"{_api.BaseUrl}/v1/models", TestContext.Current.CancellationToken))!;
        var model = JsonNode.Parse(await _http.GetStringAsync($"{_api.BaseUrl}/v1/models/claude-x", TestContext.Current.CancellationToken))!;
        using var unknown = await _http.GetAsync($"{_api.BaseUrl}/v1/elsewhere", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, hello.StatusCode);
        Assert.True((int?)JsonNode.Parse(await count.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["input_tokens"] > 0);
        Assert.Equal(AnthropicStandIn.Model, (string?)models["data"]![0]!["id"]);
        Assert.Equal("claude-x", (string?)model["id"]);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Empty(_api.MessageRequests);
        Assert.Equal(5, _api.Requests.Count);
    }

    private static JsonObject User(string text) => new() { ["role"] = "user", ["content"] = text };

    private static JsonObject Request(params JsonObject[] messages) => new()
    {
        ["model"] = "claude-test",
        ["max_tokens"] = 100,
        ["messages"] = new JsonArray([.. messages]),
    };

    private async Task<JsonNode> MessageAsync(JsonObject request)
    {
        using var response = await PostAsync(request);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
    }

    private Task<HttpResponseMessage> PostAsync(JsonObject request, (string Name, string Value)? header = null, string path = "/v1/messages?beta=true")
    {
        var message = new HttpRequestMessage(HttpMethod.Post, _api.BaseUrl + path)
        {
            Content = new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (header is var (name, value))
        {
            message.Headers.Add(name, value);
        }

        return _http.SendAsync(message, TestContext.Current.CancellationToken);
    }
}
