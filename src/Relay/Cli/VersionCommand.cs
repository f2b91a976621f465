using System.CommandLine;
using Cerver.Relay.Daemon;

namespace Cerver.Relay.Cli;

public static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print the relay's version.");
        command.SetAction(_ =>
        {
            Console.WriteLine(RelayVersion.Current);
            return ExitCodes.Ok;
        });
        return command;
    }
}
