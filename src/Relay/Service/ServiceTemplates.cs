namespace Cerver.Relay.Service;

/// <summary>The templates of <c>packaging/</c>, embedded in the binary.</summary>
public static class ServiceTemplates
{
    public const string SystemdUnit = "cerver-relay.service";
    public const string LaunchdPlist = "ai.cerver.relay.plist";

    public static string Load(string name)
    {
        using var stream = typeof(ServiceTemplates).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the template {name} is missing from this build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Replaces every <c>{{NAME}}</c>, insisting that the template used each value and left none unfilled.</summary>
    public static string Fill(string template, IReadOnlyDictionary<string, string> values)
    {
        var result = template;
        foreach (var (name, value) in values)
        {
            var placeholder = "{{" + name + "}}";
            if (!result.Contains(placeholder, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"the service template has no {placeholder}.");
            }

            result = result.Replace(placeholder, value, StringComparison.Ordinal);
        }

        var left = result.IndexOf("{{", StringComparison.Ordinal);
        return left < 0 ? result : throw new InvalidOperationException($"the service template has an unfilled value at '{result[left..Math.Min(result.Length, left + 30)]}'.");
    }
}
