using Cerver.Gateway.Embedded.Routing;
using Cerver.Gateway.Embedded.Routing.Wire;
using Cerver.Gateway.Embedded.StressTests.Wire;
using static System.FormattableString;

namespace Cerver.Gateway.Embedded.StressTests;

public static class StressTestRequestValidator
{
    // Resolves providers against the catalog of this moment: a linked relay that is in the
    // catalog may be named by its compute id, anything else unknown is an error.
    public static StressTestValidation Validate(StressTestRequestBody body, CatalogSnapshot catalog)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(catalog);

        // workload, requirements and policy mean what they mean for routing; the routing
        // validator already names their fields.
        var routing = RoutingRequestValidator.Validate(new RecommendRequestBody
        {
            Task = body.Task,
            Workload = body.Workload,
            Requirements = body.Requirements,
            Policy = body.Policy,
        });
        var errors = new List<FieldError>(routing.Errors);

        var kind = ParseKind(body.Kind, errors);
        var sampleSize = ParseSampleSize(body.SampleSize, errors);
        var providers = body.Providers is { Count: > 0 } named
            ? ResolveNamed(named, catalog, errors)
            : routing.Request is { } request ? Matching(request, catalog, errors) : [];

        return errors.Count > 0
            ? new StressTestValidation(null, errors)
            : new StressTestValidation(new StressTestRequest(kind, sampleSize, providers, routing.Request!), []);
    }

    private static StressKind ParseKind(string? raw, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            errors.Add(new("kind", $"is required; expected one of {string.Join(", ", StressKinds.Names)}"));
            return default;
        }

        if (StressKinds.TryParse(raw, out var kind))
        {
            return kind;
        }

        errors.Add(new("kind", $"unknown kind '{raw}'; expected one of {string.Join(", ", StressKinds.Names)}"));
        return default;
    }

    private static int ParseSampleSize(int? raw, List<FieldError> errors)
    {
        if (raw is null)
        {
            return StressTestRequest.DefaultSampleSize;
        }

        if (raw is < 1 or > StressTestRequest.MaxSampleSize)
        {
            errors.Add(new("sample_size", Invariant($"must be between 1 and {StressTestRequest.MaxSampleSize}, got {raw}")));
        }

        return raw.Value;
    }

    private static List<ProviderProfile> ResolveNamed(IReadOnlyList<string?> names, CatalogSnapshot catalog, List<FieldError> errors)
    {
        var resolved = new List<ProviderProfile>();
        for (var i = 0; i < names.Count; i++)
        {
            var field = Invariant($"providers[{i}]");
            var raw = names[i];
            if (string.IsNullOrWhiteSpace(raw))
            {
                errors.Add(new(field, "must be a provider name"));
                continue;
            }

            var name = ProviderNames.Canonical(raw);
            var profile = catalog.Profiles.FirstOrDefault(p => p.Name == name || p.ComputeId == name);
            if (profile is null)
            {
                var known = string.Join(", ", catalog.Profiles.Select(p => p.Name));
                errors.Add(new(field, ProviderNames.IsKnownOrComputeId(name)
                    ? $"'{raw}' is not in this gateway's catalog right now; expected one of {known}"
                    : $"unknown provider '{raw}'; expected one of {known}"));
            }
            else if (!resolved.Contains(profile))
            {
                resolved.Add(profile);
            }
        }

        return resolved;
    }

    // No providers named: every catalog entry the router would consider for this workload,
    // requirements and policy (its hard filters), executable or modeled.
    private static List<ProviderProfile> Matching(RoutingRequest request, CatalogSnapshot catalog, List<FieldError> errors)
    {
        var report = Router.Recommend(request, catalog, requireExecutable: false, "stress_test_providers");
        var viable = report.Providers.Where(p => p.Status == ProviderAssessment.Viable).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var matching = catalog.Profiles.Where(p => viable.Contains(p.Name)).ToList();
        if (matching.Count == 0)
        {
            errors.Add(new("providers", $"none given and no catalog provider matches the workload: {report.Decision.PrimaryReason}"));
        }

        return matching;
    }
}
