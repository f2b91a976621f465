using System.CommandLine;
using Cerver.Relay.Mcp;

namespace Cerver.Relay.Cli;

public static class McpCommand
{
    public static Command Create()
    {
        var command = new Command("mcp",
            "Serve the relay's MCP tools on stdin/stdout, for an agent's MCP config (command 'cerver-relay', args ['mcp']). The tools use the running daemon of this CERVER_HOME.");
        command.SetAction(async (_, cancellationToken) =>
        {
            await McpServerSetup.RunStdioAsync(CliSettings.Load(), cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }
}
