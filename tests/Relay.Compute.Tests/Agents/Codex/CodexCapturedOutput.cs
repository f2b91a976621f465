namespace Cerver.Relay.Compute.Tests.Agents.Codex;

/// <summary>
/// Standard output of the real <c>codex exec --json</c> 0.171.0 against a loopback Responses
/// stand-in, kept verbatim (some cut to the lines a test needs, workspace paths shortened) so the
/// parser is tested on what the CLI prints rather than on what we think it prints.
/// </summary>
internal static class CodexCapturedOutput
{
    /// <summary>A first turn with an unknown model name (Codex warns as an "error" item and goes on) and a reasoning summary.</summary>
    public const string TextWithThinking = """
        {"type":"thread.started","thread_id":"01a24b2d-9109-7452-bf94-84342e70c702"}
        {"type":"item.completed","item":{"id":"item_0","type":"error","message":"Model metadata for `gpt-5-stand-in` not found. Defaulting to fallback metadata; this can degrade performance and cause issues."}}
        {"type":"turn.started"}
        {"type":"item.completed","item":{"id":"item_1","type":"reasoning","text":"thinking about: [[think]] hello codex"}}
        {"type":"item.completed","item":{"id":"item_2","type":"agent_message","text":"echo: [[think]] hello codex"}}
        {"type":"turn.completed","usage":{"input_tokens":40,"cached_input_tokens":0,"cache_write_input_tokens":0,"output_tokens":10,"reasoning_output_tokens":5}}
        """;

    /// <summary>A command the model ran, started then completed, then the model's answer.</summary>
    public const string Command = """
        {"type":"thread.started","thread_id":"01a24b1f-b148-7ef2-b351-66be54a077e0"}
        {"type":"item.completed","item":{"id":"item_0","type":"error","message":"Model metadata for `gpt-5` not found. Defaulting to fallback metadata; this can degrade performance and cause issues."}}
        {"type":"turn.started"}
        {"type":"item.started","item":{"id":"item_1","type":"command_execution","command":"/bin/bash -lc 'echo hi > f.txt'","aggregated_output":"","exit_code":null,"status":"in_progress"}}
        {"type":"item.completed","item":{"id":"item_1","type":"command_execution","command":"/bin/bash -lc 'echo hi > f.txt'","aggregated_output":"","exit_code":0,"status":"completed"}}
        {"type":"item.completed","item":{"id":"item_2","type":"reasoning","text":"thinking hard"}}
        {"type":"item.completed","item":{"id":"item_3","type":"agent_message","text":"tool said: Chunk ID: e200ab\nWall time: 0.0000 seconds\nProcess exited with code 0\nOriginal token count: 0\nOutput:"}}
        {"type":"turn.completed","usage":{"input_tokens":20,"cached_input_tokens":0,"cache_write_input_tokens":0,"output_tokens":10,"reasoning_output_tokens":0}}
        """;

    /// <summary>A command that exited 3.</summary>
    public const string FailedCommand = """
        {"type":"item.started","item":{"id":"item_1","type":"command_execution","command":"/bin/bash -lc 'echo oops; exit 3'","aggregated_output":"","exit_code":null,"status":"in_progress"}}
        {"type":"item.completed","item":{"id":"item_1","type":"command_execution","command":"/bin/bash -lc 'echo oops; exit 3'","aggregated_output":"oops\n","exit_code":3,"status":"failed"}}
        """;

    /// <summary>An <c>apply_patch</c> the model ran through the shell tool, which Codex reports as a file change.</summary>
    public const string FileChange = """
        {"type":"item.started","item":{"id":"item_1","type":"file_change","changes":[{"path":"/w/g.txt","kind":"add"}],"status":"in_progress"}}
        {"type":"item.completed","item":{"id":"item_1","type":"file_change","changes":[{"path":"/w/g.txt","kind":"add"}],"status":"completed"}}
        """;

    /// <summary>The endpoint answered 400: no retry, the body's JSON as the message, exit code 1.</summary>
    public const string Refused = """
        {"type":"thread.started","thread_id":"01a24b2d-a1cd-7622-9098-704e25107574"}
        {"type":"turn.started"}
        {"type":"error","message":"{\"error\":{\"message\":\"stand-in error 400\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"stand_in_400\"}}"}
        {"type":"turn.failed","error":{"message":"{\"error\":{\"message\":\"stand-in error 400\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"stand_in_400\"}}"}}
        """;

    /// <summary>The endpoint answered 500 to all 30 requests (5 reconnects of 5 attempts each, plus the first round).</summary>
    public const string ServerErrors = """
        {"type":"thread.started","thread_id":"01a24b20-05ef-7180-bf8f-8b88064d3767"}
        {"type":"turn.started"}
        {"type":"error","message":"Reconnecting... 1/5 (We’re currently experiencing high demand, which may cause temporary errors.)"}
        {"type":"error","message":"Reconnecting... 2/5 (We’re currently experiencing high demand, which may cause temporary errors.)"}
        {"type":"error","message":"Reconnecting... 3/5 (We’re currently experiencing high demand, which may cause temporary errors.)"}
        {"type":"error","message":"Reconnecting... 4/5 (We’re currently experiencing high demand, which may cause temporary errors.)"}
        {"type":"error","message":"Reconnecting... 5/5 (We’re currently experiencing high demand, which may cause temporary errors.)"}
        {"type":"error","message":"We’re currently experiencing high demand, which may cause temporary errors."}
        {"type":"turn.failed","error":{"message":"We’re currently experiencing high demand, which may cause temporary errors."}}
        """;

    /// <summary>Codex's built-in provider first trying WebSockets on an endpoint without them, then answering over HTTPS.</summary>
    public const string RecoveredAfterReconnects = """
        {"type":"thread.started","thread_id":"01a24b22-3fdf-7de2-8540-59ad451b12a0"}
        {"type":"turn.started"}
        {"type":"error","message":"Reconnecting... 2/5 (unexpected status 404 Not Found: Unknown error, url: ws://127.0.0.1:18555/v1/responses)"}
        {"type":"error","message":"Reconnecting... 3/5 (unexpected status 404 Not Found: Unknown error, url: ws://127.0.0.1:18555/v1/responses)"}
        {"type":"error","message":"Reconnecting... 4/5 (unexpected status 404 Not Found: Unknown error, url: ws://127.0.0.1:18555/v1/responses)"}
        {"type":"error","message":"Reconnecting... 5/5 (unexpected status 404 Not Found: Unknown error, url: ws://127.0.0.1:18555/v1/responses)"}
        {"type":"item.completed","item":{"id":"item_0","type":"error","message":"Falling back from WebSockets to HTTPS transport. unexpected status 404 Not Found: Unknown error, url: ws://127.0.0.1:18555/v1/responses"}}
        {"type":"item.completed","item":{"id":"item_1","type":"agent_message","text":"echo: hi env"}}
        {"type":"turn.completed","usage":{"input_tokens":10,"cached_input_tokens":0,"cache_write_input_tokens":0,"output_tokens":5,"reasoning_output_tokens":0}}
        """;
}
