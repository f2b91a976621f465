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
    LoginCommand.Create(),
    LogoutCommand.Create(),
    DevicesCommand.Create(),
    ServiceCommand.Create(),
    UpdateCommand.Create(),
    VersionCommand.Create(),
};

// The daemon drains on SIGTERM for longer than System.CommandLine's 2-second default would
// wait, so the host's own lifetime handles termination signals.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
