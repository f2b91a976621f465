using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Cerver.Relay.TestKit.ModelStandIns;

/// <summary>
/// What the stand-in does with one request, read from directives in the latest user text, so a
/// test scripts a turn with its prompt alone (every request of the turn carries that text):
/// <list type="bullet">
/// <item><c>[[sleep: ms]]</c> waits that long first;</item>
/// <item><c>[[hang]]</c> accepts the request and never answers;</item>
/// <item><c>[[error: status]]</c> answers that status with an OpenAI-shaped error body;</item>
/// <item>a request whose input ends with a tool's output gets the text <c>tool said: &lt;output&gt;</c>;</item>
/// <item><c>[[bash: command]]</c> gets a call of Codex's shell tool (<c>exec_command</c>) running it: directly
/// when the request offers that function, or from a code-mode <c>exec</c> script when the model works in
/// code mode (Codex 0.171's default model does);</item>
/// <item>anything else gets the text <c>echo: &lt;latest user text&gt;</c>;</item>
/// <item><c>[[think]]</c> puts a reasoning item before the text.</item>
/// </list>
/// </summary>
public sealed partial record ResponsesScript
{
    public string UserText { get; init; } = "";

    public string? ToolOutput { get; init; }

    public string? Command { get; init; }

    public bool Think { get; init; }

    public bool Hang { get; init; }

    public int? ErrorStatus { get; init; }

    public int SleepMilliseconds { get; init; }

    public static ResponsesScript Read(IReadOnlyList<JsonObject> input)
    {
        var text = ResponsesConversation.LatestUserText(input) ?? "";
        return new ResponsesScript
        {
            UserText = text,
            ToolOutput = ResponsesConversation.TrailingToolOutput(input),
            Command = BashDirective().Match(text) is { Success: true } bash ? bash.Groups["command"].Value.Trim() : null,
            Think = text.Contains("[[think]]", StringComparison.Ordinal),
            Hang = text.Contains("[[hang]]", StringComparison.Ordinal),
            ErrorStatus = ErrorDirective().Match(text) is { Success: true } error ? int.Parse(error.Groups["status"].Value, CultureInfo.InvariantCulture) : null,
            SleepMilliseconds = SleepDirective().Match(text) is { Success: true } sleep ? int.Parse(sleep.Groups["ms"].Value, CultureInfo.InvariantCulture) : 0,
        };
    }

    [GeneratedRegex(@"\[\[bash:(?<command>.*?)\]\]", RegexOptions.Singleline)]
    private static partial Regex BashDirective();

    [GeneratedRegex(@"\[\[error:\s*(?<status>\d{3})\s*\]\]")]
    private static partial Regex ErrorDirective();

    [GeneratedRegex(@"\[\[sleep:\s*(?<ms>\d{1,9})\s*\]\]")]
    private static partial Regex SleepDirective();
}
