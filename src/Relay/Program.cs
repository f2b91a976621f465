using System.CommandLine;
using Cerver.Relay.Cli;
using Cerver.Relay.Daemon;

if (args is ["run", ..])
{
    DiagnosticsLockdown.EnsureOff();
}

var root = new RootCommand("cerver-relay: turns this machine into a private compute for the Cerver gateway, and serves the gateway's session API locally.")
{
    RunCommand.Create(),
    StatusCommand.Create(),
    DoctorCommand.Create(),
    SessionsCommand.Create(),
    McpCommand.Create(),
    LogsCommand.Create(),
    DashboardCommand.Create(),
    LoginCommand.Create(),
    LogoutCommand.Create(),
    DevicesCommand.Create(),
    ServiceCommand.Create(),
    UninstallCommand.Create(),
    UpdateCommand.Create(),
    VersionCommand.Create(),
    CompletionCommand.Create(),
};

CliHelp.Install(root);

// Every failure is one sentence on stderr with its own exit code (Cli/ExitCodes.cs), never a stack trace.
return await CliErrors.InvokeAsync(root.Parse(args));
