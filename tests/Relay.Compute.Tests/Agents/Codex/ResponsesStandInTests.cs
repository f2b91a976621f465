using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cerver.Relay.TestKit.ModelStandIns;

namespace Cerver.Relay.Compute.Tests.Agents.Codex;

/// <summary>The Responses stand-in's directives that the Codex runs do not reach, over plain HTTP.</summary>
public sealed class ResponsesStandInTests : IAsyncLifetime
{
    private readonly HttpClient _client = new();
    private ResponsesStandIn _model = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _model = await ResponsesStandIn.StartAsync(Cancellation);

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _model.DisposeAsync();
    }

    [Fact]
    public async Task A_whole_response_echoes_the_latest_user_text_with_usage()
    {
        var response = await PostAsync(Request(false, User("<environment_context>cwd</environment_context>"), User("  hello  "), User("<turn_context/>")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!;
        Assert.Equal("completed", body["status"]?.GetValue<string>());
        Assert.Equal("echo: hello", ResponsesConversation.ContentText(body["output"]![0]!["content"]));
        Assert.Equal(30, body["usage"]!["input_tokens"]!.GetValue<long>());
        Assert.Equal(5, body["usage"]!["output_tokens"]!.GetValue<long>());
        var recorded = Assert.Single(_model.Requests);
        Assert.Equal(("POST", "/v1/responses", "Bearer k"), (recorded.Method, recorded.Path, recorded.Headers["authorization"]));
        Assert.Equal("hello", recorded.LatestUserText);
    }

    [Fact]
    public async Task A_stream_sends_the_events_codex_reads_in_order()
    {
        var response = await PostAsync(Request(true, User("[[think]] hi")));

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = (await response.Content.ReadAsStringAsync(Cancellation)).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(block => block.Split('\n')).Select(lines => (Name: lines[0]["event: ".Length..], Data: JsonNode.Parse(lines[1]["data: ".Length..])!)).ToList();
        Assert.Equal("response.created", events[0].Name);
        Assert.Equal("response.completed", events[^1].Name);
        Assert.All(events, item => Assert.Equal(item.Name, item.Data["type"]?.GetValue<string>()));
        var done = events.Where(item => item.Name == "response.output_item.done").Select(item => item.Data["item"]!).ToList();
        Assert.Equal(["reasoning", "message"], done.Select(item => item["type"]!.GetValue<string>()));
        Assert.Equal("echo: [[think]] hi", events.Single(item => item.Name == "response.output_text.delta").Data["delta"]?.GetValue<string>());
        Assert.Equal(10, events[^1].Data["response"]!["usage"]!["output_tokens"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_bash_directive_calls_the_shell_tool_and_its_output_comes_back_as_text()
    {
        var call = await PostAsync(ShellRequest(User("[[bash: ls -la]]")));
        var item = JsonNode.Parse(await call.Content.ReadAsStringAsync(Cancellation))!["output"]![0]!;
        Assert.Equal(("function_call", ResponsesReply.ShellTool), (item["type"]!.GetValue<string>(), item["name"]!.GetValue<string>()));
        Assert.Equal("""{"cmd":"ls -la"}""", item["arguments"]!.GetValue<string>());

        var output = new JsonObject { ["type"] = "function_call_output", ["call_id"] = item["call_id"]!.GetValue<string>(), ["output"] = "  total 0\n" };
        var answer = await PostAsync(ShellRequest(User("[[bash: ls -la]]"), item.DeepClone(), output));
        Assert.Equal("tool said: total 0", ResponsesConversation.ContentText(JsonNode.Parse(await answer.Content.ReadAsStringAsync(Cancellation))!["output"]![0]!["content"]));
    }

    [Fact]
    public async Task An_error_directive_answers_that_status_with_an_openai_error()
    {
        var response = await PostAsync(Request(true, User("[[error: 503]]")));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!["error"]!;
        Assert.Equal(("stand-in error 503", "server_error"), (error["message"]!.GetValue<string>(), error["type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_sleep_directive_still_answers()
    {
        var response = await PostAsync(Request(false, User("[[sleep: 20]] late")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_hang_directive_never_answers_and_ends_with_the_stand_in()
    {
        var pending = PostAsync(Request(true, User("[[hang]]")));
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        limit.CancelAfter(TimeSpan.FromMinutes(1));
        while (_model.Requests.Count == 0)
        {
            await Task.Delay(10, limit.Token);
        }

        Assert.False(pending.IsCompleted);
        await _model.DisposeAsync();
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => pending);
    }

    [Fact]
    public async Task It_lists_a_model()
    {
        var models = JsonNode.Parse(await _client.GetStringAsync(new Uri(_model.BaseUrl + "/models"), Cancellation))!;

        Assert.Equal("list", models["object"]?.GetValue<string>());
        Assert.NotEmpty(models["data"]!.AsArray());
    }

    private Task<HttpResponseMessage> PostAsync(JsonObject body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_model.BaseUrl + "/responses"))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", "k");
        return _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, Cancellation);
    }

    private static JsonObject Request(bool stream, params JsonNode[] input) =>
        new() { ["model"] = "m", ["stream"] = stream, ["tools"] = new JsonArray(), ["input"] = new JsonArray(input) };

    /// <summary>A whole-response request that offers the shell function, as Codex does for most models.</summary>
    private static JsonObject ShellRequest(params JsonNode[] input)
    {
        var request = Request(false, input);
        request["tools"] = new JsonArray(new JsonObject { ["type"] = "function", ["name"] = ResponsesReply.ShellTool });
        return request;
    }

    private static JsonObject User(string text) => new()
    {
        ["type"] = "message",
        ["role"] = "user",
        ["content"] = new JsonArray(new JsonObject { ["type"] = "input_text", ["text"] = text }),
    };
}
