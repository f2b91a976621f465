using Cerver.Gateway.Embedded.Sessions.Wire;
using Cerver.Relay.Compute.Contract;
using ModelContextProtocol.Protocol;

namespace Cerver.Relay.Mcp.Tools;

/// <summary>cerver_run: code run in a session's sandbox, to its end.</summary>
public sealed class RunTool(RelayApiClient api) : IMcpTool
{
    private static readonly IReadOnlyList<string> Languages = ["sh", "bash", "node", "python"];

    /// <summary>What the relay may take beyond the run's own limit (the sandbox starting, the answer travelling).</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(60);

    public Tool Definition { get; } = ToolSchemas.Define("cerver_run",
        "Run code in a session's sandbox and wait for it: exit code, stdout, stderr (each cut to the relay's limit), duration and whether it timed out.",
        $$"""
        {
          "type": "object",
          "properties": {
            {{ToolSchemas.SessionId}},
            "code": { "type": "string", "minLength": 1, "description": "The code to run." },
            "language": { "type": "string", "enum": ["sh", "bash", "node", "python"], "default": "sh", "description": "How to run the code." },
            {{ToolSchemas.TimeoutSeconds("How long the code may run, in seconds (1 to 3600; default: the relay's run timeout).")}}
          },
          "required": ["session_id", "code"],
          "additionalProperties": false
        }
        """);

    public async Task<CallToolResult> CallAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var id = arguments.RequiredString("session_id");
        var request = new RunRequest
        {
            Code = arguments.RequiredString("code"),
            Language = arguments.OptionalChoice("language", Languages),
            Timeout = arguments.OptionalInteger("timeout_seconds", 1, 3600),
        };
        var limit = TimeSpan.FromSeconds(request.Timeout ?? 3600) + Margin;
        var response = await api.PostAsync($"/gateway/sessions/{Uri.EscapeDataString(id)}/run", request, ComputeJsonContext.Default.RunRequest,
            GatewayJsonContext.Default.SessionRunResponse, limit, cancellationToken);
        var result = response.Result;
        return ToolResults.Json(new RunOutcomeView(response.SessionId, result.ExitCode, result.Stdout, result.Stderr, result.DurationMs, result.TimedOut, result.Truncated),
            McpJsonContext.Default.RunOutcomeView);
    }
}
