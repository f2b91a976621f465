using System.CommandLine;

namespace Cerver.Relay.Cli;

/// <summary>
/// <c>cerver-relay completion bash|zsh|fish</c>: a script for the shell that asks the binary
/// itself what can come next (System.CommandLine's <c>[suggest]</c> directive), so completion
/// always matches the verbs and options of the installed version.
/// </summary>
public static class CompletionCommand
{
    public static readonly IReadOnlyList<string> Shells = ["bash", "zsh", "fish"];

    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or fish." };
        shell.AcceptOnlyFromAmong([.. Shells]);
        var command = new Command("completion", "Print the shell completion script for bash, zsh or fish.") { shell };
        command.SetAction(parse =>
        {
            Console.Write(Script(parse.GetValue(shell)!));
            return ExitCodes.Ok;
        });
        return command;
    }

    public static string Script(string shell) => shell switch
    {
        "bash" => """
            # cerver-relay completion for bash: source <(cerver-relay completion bash)
            _cerver_relay_complete() {
                local IFS=$'\n'
                COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}"))
            }
            complete -o default -F _cerver_relay_complete cerver-relay

            """,
        "zsh" => """
            #compdef cerver-relay
            # cerver-relay completion for zsh: cerver-relay completion zsh > "${fpath[1]}/_cerver-relay"
            _cerver_relay() {
                local -a suggestions
                suggestions=("${(@f)$("${words[1]}" "[suggest:${#BUFFER}]" "${BUFFER}" 2>/dev/null)}")
                compadd -a suggestions
            }
            compdef _cerver_relay cerver-relay

            """,
        "fish" => """
            # cerver-relay completion for fish: cerver-relay completion fish > ~/.config/fish/completions/cerver-relay.fish
            function __cerver_relay_complete
                set -l line (commandline -cp)
                cerver-relay "[suggest:"(string length -- $line)"]" "$line" 2>/dev/null
            end
            complete -c cerver-relay -f -a '(__cerver_relay_complete)'

            """,
        _ => throw new ArgumentOutOfRangeException(nameof(shell), shell, "bash, zsh or fish"),
    };
}
