using System.Text.Json;
using Cerver.Gateway.Embedded.Routing.Wire;
using static System.FormattableString;

namespace Cerver.Gateway.Embedded.Routing;

public sealed record FieldError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

public sealed record RequestValidation(RoutingRequest? Request, IReadOnlyList<FieldError> Errors)
{
    public bool IsValid => Request is not null;
}

public static class RoutingRequestValidator
{
    public static RequestValidation Validate(RecommendRequestBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new List<FieldError>();

        var workload = ParseWorkload(body.Workload, errors);
        var requirements = ParseRequirements(body.Requirements, errors);
        var policy = ParsePolicy(body.Policy, errors);
        var target = ParseTarget(body.TargetComputeId, errors);
        CheckConflicts(policy, target, errors);

        if (errors.Count > 0)
        {
            return new RequestValidation(null, errors);
        }

        var request = new RoutingRequest(
            body.Task?.Trim() ?? string.Empty,
            workload,
            ParseRepo(body.Repo),
            requirements,
            policy,
            body.Metadata is null ? null : JsonSerializer.SerializeToElement(body.Metadata, RoutingJsonContext.Default.JsonObject),
            string.IsNullOrWhiteSpace(body.SessionName) ? null : body.SessionName.Trim(),
            target);
        return new RequestValidation(request, []);
    }

    private static Workload ParseWorkload(string? raw, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return Workload.General;
        }

        if (WireNames.TryParse(raw, out Workload workload))
        {
            return workload;
        }

        errors.Add(new("workload", $"unknown workload '{raw}'; expected one of {string.Join(", ", WireNames.WorkloadNames)}"));
        return Workload.General;
    }

    private static RepoHints ParseRepo(RepoBody? repo) =>
        repo is null
            ? RepoHints.None
            : new RepoHints(
                Blank(repo.Name),
                Blank(repo.Framework)?.ToLowerInvariant(),
                NonBlank(repo.Languages),
                NonBlank(repo.Signals));

    private static RuntimeRequirements ParseRequirements(RequirementsBody? body, List<FieldError> errors)
    {
        if (body is null)
        {
            return RuntimeRequirements.None;
        }

        PersistenceLevel? persistence = null;
        if (!string.IsNullOrWhiteSpace(body.PersistenceLevel))
        {
            if (WireNames.TryParse(body.PersistenceLevel, out PersistenceLevel level))
            {
                persistence = level;
            }
            else
            {
                errors.Add(new(
                    "requirements.persistence_level",
                    $"unknown persistence level '{body.PersistenceLevel}'; expected one of {string.Join(", ", WireNames.PersistenceNames)}"));
            }
        }

        if (body.TimeoutMinutes is <= 0)
        {
            errors.Add(new("requirements.timeout_minutes", Invariant($"must be a positive number of minutes, got {body.TimeoutMinutes}")));
        }

        return new RuntimeRequirements(
            Blank(body.Runtime)?.ToLowerInvariant(),
            body.PackageInstall ?? false,
            body.PublicPreview ?? false,
            body.Browser ?? false,
            body.Desktop ?? false,
            persistence,
            body.TimeoutMinutes);
    }

    private static RoutingPolicy ParsePolicy(PolicyBody? body, List<FieldError> errors)
    {
        if (body is null)
        {
            return RoutingPolicy.Default;
        }

        var pinned = Blank(body.PinnedProvider) is { } rawPinned ? ProviderNames.Canonical(rawPinned) : null;
        if (pinned is not null && !ProviderNames.IsKnownOrComputeId(pinned))
        {
            errors.Add(new("policy.pinned_provider", UnknownProvider(body.PinnedProvider!)));
        }

        // A pinned_provider with no mode can only mean "pin it"; defaulting to balanced
        // and then rejecting the request would punish the caller for being brief.
        var mode = pinned is null ? RoutingMode.Balanced : RoutingMode.Pinned;
        if (!string.IsNullOrWhiteSpace(body.Mode) && !WireNames.TryParse(body.Mode, out mode))
        {
            errors.Add(new("policy.mode", $"unknown mode '{body.Mode}'; expected one of {string.Join(", ", WireNames.ModeNames)}"));
        }

        if (mode == RoutingMode.Pinned && pinned is null)
        {
            errors.Add(new("policy.pinned_provider", "required when policy.mode is pinned"));
        }
        else if (mode != RoutingMode.Pinned && pinned is not null && !string.IsNullOrWhiteSpace(body.Mode))
        {
            errors.Add(new("policy.pinned_provider", $"conflicts with policy.mode {WireNames.Of(mode)}; a pinned provider needs mode pinned"));
        }

        var allowed = new List<string>();
        for (var i = 0; i < (body.AllowedProviders?.Count ?? 0); i++)
        {
            var raw = body.AllowedProviders![i];
            var field = Invariant($"policy.allowed_providers[{i}]");
            if (string.IsNullOrWhiteSpace(raw))
            {
                errors.Add(new(field, "must be a provider name"));
                continue;
            }

            var name = ProviderNames.Canonical(raw);
            if (!ProviderNames.IsKnownOrComputeId(name))
            {
                errors.Add(new(field, UnknownProvider(raw)));
            }
            else if (!allowed.Contains(name))
            {
                allowed.Add(name);
            }
        }

        if (body.MaxCostUsd is < 0)
        {
            errors.Add(new("policy.max_cost_usd", Invariant($"must not be negative, got {body.MaxCostUsd}")));
        }

        if (body.MaxStartupMs is <= 0)
        {
            errors.Add(new("policy.max_startup_ms", Invariant($"must be a positive number of milliseconds, got {body.MaxStartupMs}")));
        }

        return new RoutingPolicy(mode, pinned, allowed, body.MaxCostUsd, body.MaxStartupMs);
    }

    private static ComputeTarget? ParseTarget(string? raw, List<FieldError> errors)
    {
        var value = Blank(raw);
        if (value is null)
        {
            return null;
        }

        if (ProviderNames.IsComputeId(value) && value.Length > ProviderNames.ComputeIdPrefix.Length)
        {
            return new ComputeTarget(ComputeTargetKind.Compute, value);
        }

        if (value.StartsWith(ProviderNames.ProviderHandlePrefix, StringComparison.OrdinalIgnoreCase))
        {
            var provider = ProviderNames.Canonical(value[ProviderNames.ProviderHandlePrefix.Length..]);
            if (ProviderNames.Known.Contains(provider))
            {
                return new ComputeTarget(ComputeTargetKind.Provider, provider);
            }

            errors.Add(new("target_compute_id", $"unknown provider in '{value}'; expected provider_<name> with one of {string.Join(", ", ProviderNames.Known)}"));
            return null;
        }

        errors.Add(new("target_compute_id", $"'{value}' is neither a compute id (cmp_…) nor a provider handle (provider_<name>)"));
        return null;
    }

    private static void CheckConflicts(RoutingPolicy policy, ComputeTarget? target, List<FieldError> errors)
    {
        if (policy.PinnedProvider is { } pinned && policy.AllowedProviders.Count > 0 && !policy.AllowedProviders.Contains(pinned))
        {
            errors.Add(new("policy.pinned_provider", $"conflicts with policy.allowed_providers: '{pinned}' is pinned but not allowed"));
        }

        if (target is not { Kind: ComputeTargetKind.Provider } providerTarget)
        {
            return;
        }

        if (policy.AllowedProviders.Count > 0 && !policy.AllowedProviders.Contains(providerTarget.Value))
        {
            errors.Add(new("target_compute_id", $"conflicts with policy.allowed_providers: '{providerTarget.Value}' is targeted but not allowed"));
        }

        if (policy.PinnedProvider is { } pin && pin != providerTarget.Value)
        {
            errors.Add(new("target_compute_id", $"conflicts with policy.pinned_provider: targets '{providerTarget.Value}' but '{pin}' is pinned"));
        }
    }

    private static string UnknownProvider(string raw) =>
        $"unknown provider '{raw}'; expected one of {string.Join(", ", ProviderNames.Known)} or a compute id (cmp_…)";

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string[] NonBlank(IReadOnlyList<string?>? values) =>
        values is null ? [] : [.. values.Select(Blank).OfType<string>()];
}
