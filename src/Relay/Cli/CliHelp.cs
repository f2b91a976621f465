using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Cerver.Relay.Daemon;

namespace Cerver.Relay.Cli;

/// <summary>
/// What the root command adds to System.CommandLine's defaults: examples under each verb's
/// <c>--help</c>, and <c>--version</c> printing the same string as <c>cerver-relay version</c>
/// (the framework's would add the commit hash).
/// </summary>
public static class CliHelp
{
    /// <summary>Examples by command path (the verbs after <c>cerver-relay</c>); the root's are shown for <c>cerver-relay --help</c>.</summary>
    private static readonly Dictionary<string, string[]> Examples = new(StringComparer.Ordinal)
    {
        [""] =
        [
            "cerver-relay login                     # log in to the Cerver gateway",
            "cerver-relay service install           # run the relay as a service",
            "cerver-relay status                    # is it running, and how",
            "cerver-relay logs -f                   # follow the daemon's log",
        ],
        ["run"] = ["cerver-relay run", "cerver-relay run --port 8791 --offline"],
        ["status"] = ["cerver-relay status", "cerver-relay status --json | jq .gateway"],
        ["doctor"] = ["cerver-relay doctor"],
        ["logs"] = ["cerver-relay logs", "cerver-relay logs -n 200", "cerver-relay logs -f"],
        ["mcp"] = ["claude mcp add cerver -- cerver-relay mcp", "codex mcp add cerver -- cerver-relay mcp"],
        ["dashboard"] = ["cerver-relay dashboard", "cerver-relay dashboard --no-open     # print the one-time link only"],
        ["sessions"] = ["cerver-relay sessions list", "cerver-relay sessions show ses_… --follow", "cerver-relay sessions export ses_… > transcript.txt"],
        ["sessions list"] = ["cerver-relay sessions list --status running", "cerver-relay sessions list --json | jq '.sessions[].sessionId'"],
        ["sessions show"] = ["cerver-relay sessions show ses_…", "cerver-relay sessions show ses_… --follow"],
        ["sessions export"] = ["cerver-relay sessions export ses_… > transcript.txt"],
        ["login"] = ["cerver-relay login", "cerver-relay login --gateway http://192.168.1.20:8790 --no-browser"],
        ["logout"] = ["cerver-relay logout"],
        ["devices"] = ["cerver-relay devices list", "cerver-relay devices approve BCDF-GHJK", "cerver-relay devices revoke key_…"],
        ["devices list"] = ["cerver-relay devices list", "cerver-relay devices list --json | jq '.pending'"],
        ["devices approve"] = ["cerver-relay devices approve BCDF-GHJK"],
        ["devices deny"] = ["cerver-relay devices deny BCDF-GHJK"],
        ["devices revoke"] = ["cerver-relay devices revoke key_…"],
        ["service"] = ["cerver-relay service install", "cerver-relay service status"],
        ["update"] = ["cerver-relay update --check", "cerver-relay update", "cerver-relay update --version 1.2.0"],
        ["completion"] = ["source <(cerver-relay completion bash)        # in ~/.bashrc", "cerver-relay completion zsh > \"${fpath[1]}/_cerver-relay\"", "cerver-relay completion fish > ~/.config/fish/completions/cerver-relay.fish"],
        ["version"] = ["cerver-relay version"],
    };

    public static void Install(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        foreach (var option in root.Options)
        {
            if (option is VersionOption)
            {
                option.Action = new PrintVersion();
            }
            else if (option is HelpOption { Action: { } help } helpOption)
            {
                helpOption.Action = new HelpWithExamples(help);
            }
        }
    }

    /// <summary>The verbs after <c>cerver-relay</c> that name <paramref name="command"/>, e.g. <c>sessions list</c>.</summary>
    public static string PathOf(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var names = new List<string>();
        for (Symbol? symbol = command; symbol is Command { Parents: var parents } current && current is not RootCommand; symbol = parents.FirstOrDefault())
        {
            names.Insert(0, current.Name);
        }

        return string.Join(' ', names);
    }

    public static IReadOnlyList<string> ExamplesOf(Command command) =>
        Examples.TryGetValue(PathOf(command), out var examples) ? examples : [];

    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        /// <summary>Like the framework's version action: <c>--version</c> answers even beside a parse error.</summary>
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(RelayVersion.Current);
            return ExitCodes.Ok;
        }
    }

    private sealed class HelpWithExamples(CommandLineAction help) : SynchronousCommandLineAction
    {
        /// <summary>Like the framework's help action: <c>approve --help</c> shows help, not "argument missing".</summary>
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var result = help is SynchronousCommandLineAction synchronous ? synchronous.Invoke(parseResult) : ExitCodes.Ok;
            var examples = ExamplesOf(parseResult.CommandResult.Command);
            if (examples.Count > 0)
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine("Examples:");
                foreach (var example in examples)
                {
                    output.WriteLine($"  {example}");
                }

                output.WriteLine();
            }

            return result;
        }
    }
}
