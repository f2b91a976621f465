using System.Text.Json;

namespace Cerver.Relay.Mcp;

/// <summary>
/// A tool call's arguments, checked against the tool's schema by hand: clients do not all
/// validate before calling, and a wrong argument must come back as one sentence naming the
/// argument and what it takes, never as a clamp or a guess.
/// </summary>
public sealed class ToolArguments
{
    private readonly string _tool;
    private readonly IReadOnlyDictionary<string, JsonElement> _values;

    public ToolArguments(string tool, IDictionary<string, JsonElement>? values, IReadOnlyCollection<string> known)
    {
        _tool = tool;
        _values = values is null ? new Dictionary<string, JsonElement>() : new Dictionary<string, JsonElement>(values);
        if (_values.Keys.FirstOrDefault(name => !known.Contains(name)) is { } unknown)
        {
            throw new McpToolException(known.Count == 0
                ? $"{tool} takes no arguments; '{Cut(unknown)}' is not one."
                : $"{tool} has no argument '{Cut(unknown)}'; it takes {string.Join(", ", known)}.");
        }
    }

    public string RequiredString(string name) =>
        OptionalString(name) ?? throw new McpToolException($"{_tool} needs the argument '{name}' (a non-empty string).");

    public string? OptionalString(string name)
    {
        if (!Present(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw WrongType(name, "a string", value);
        }

        var text = value.GetString()!;
        return text.Length > 0 ? text : throw new McpToolException($"Argument '{name}' of {_tool} must not be empty.");
    }

    /// <summary>A string from a fixed set, named in the error when it is another one.</summary>
    public string? OptionalChoice(string name, IReadOnlyCollection<string> choices)
    {
        var text = OptionalString(name);
        return text is null || choices.Contains(text)
            ? text
            : throw new McpToolException($"Argument '{name}' of {_tool} must be one of {string.Join(", ", choices)}.");
    }

    public int OptionalInteger(string name, int min, int max, int fallback) => OptionalInteger(name, min, max) ?? fallback;

    public int? OptionalInteger(string name, int min, int max)
    {
        if (!Present(name, out var value))
        {
            return null;
        }

        var bounds = $"an integer from {min} to {max}";
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw WrongType(name, bounds, value);
        }

        if (!value.TryGetInt64(out var number))
        {
            throw WrongType(name, bounds, value);
        }

        return number >= min && number <= max
            ? (int)number
            : throw new McpToolException($"Argument '{name}' of {_tool} must be {bounds}; {value.GetRawText()} is out of range.");
    }

    public bool OptionalBoolean(string name)
    {
        if (!Present(name, out var value))
        {
            return false;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw WrongType(name, "a boolean", value),
        };
    }

    private bool Present(string name, out JsonElement value) =>
        _values.TryGetValue(name, out value) && value.ValueKind != JsonValueKind.Null;

    private McpToolException WrongType(string name, string expected, JsonElement value) =>
        new($"Argument '{name}' of {_tool} must be {expected}, not {KindOf(value)}.");

    private static string KindOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => value.TryGetInt64(out _) ? "an integer" : "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };

    private static string Cut(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "…");
}
