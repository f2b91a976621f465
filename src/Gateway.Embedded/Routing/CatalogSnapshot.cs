namespace Cerver.Gateway.Embedded.Routing;

// Every profile the router may consider at one moment, sorted by name so that iteration
// order never depends on how the caller happened to list computes.
public sealed class CatalogSnapshot
{
    public CatalogSnapshot(IEnumerable<ProviderProfile> profiles)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        Profiles = [.. profiles.OrderBy(p => p.Name, StringComparer.Ordinal)];
        var duplicate = Profiles.GroupBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Two catalog entries share the routing name '{duplicate.Key}'.", nameof(profiles));
        }
    }

    public IReadOnlyList<ProviderProfile> Profiles { get; }
}
