using Cerver.Gateway.Embedded.Routing;
using Cerver.Gateway.Embedded.Routing.Wire;
using Cerver.Gateway.Embedded.Tests.Routing.Fixtures;
using Xunit;

namespace Cerver.Gateway.Embedded.Tests.Routing;

public class RoutingRequestValidatorTests
{
    private static IReadOnlyList<string> Errors(RecommendRequestBody body)
    {
        var result = RoutingRequestValidator.Validate(body);
        Assert.False(result.IsValid);
        Assert.Null(result.Request);
        return [.. result.Errors.Select(e => e.ToString())];
    }

    [Fact]
    public void Empty_body_defaults_to_general_workload_and_balanced_mode()
    {
        var request = Build.Valid(new RecommendRequestBody());

        Assert.Equal(Workload.General, request.Workload);
        Assert.Equal(RoutingMode.Balanced, request.Policy.Mode);
        Assert.Empty(request.Policy.AllowedProviders);
        Assert.Null(request.Target);
    }

    [Fact]
    public void Unknown_mode_names_the_field_and_the_expected_values()
    {
        var errors = Errors(new() { Policy = new() { Mode = "fast" } });

        Assert.Equal(["policy.mode: unknown mode 'fast'; expected one of balanced, fastest, cheapest, resilient, pinned"], errors);
    }

    [Fact]
    public void Unknown_workload_names_the_field()
    {
        var errors = Errors(new() { Workload = "batch" });

        Assert.Equal(["workload: unknown workload 'batch'; expected one of general, coding, preview, browser, long_running, validation"], errors);
    }

    [Theory]
    [InlineData(-5)]
    [InlineData(0)]
    public void Non_positive_timeout_is_rejected(int minutes)
    {
        var errors = Errors(new() { Requirements = new() { TimeoutMinutes = minutes } });

        Assert.Single(errors);
        Assert.StartsWith("requirements.timeout_minutes: must be a positive number of minutes", errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_persistence_level_is_rejected()
    {
        var errors = Errors(new() { Requirements = new() { PersistenceLevel = "forever" } });

        Assert.Equal(["requirements.persistence_level: unknown persistence level 'forever'; expected one of low, medium, high"], errors);
    }

    [Fact]
    public void Pinned_mode_without_pinned_provider_is_rejected()
    {
        var errors = Errors(new() { Policy = new() { Mode = "pinned" } });

        Assert.Equal(["policy.pinned_provider: required when policy.mode is pinned"], errors);
    }

    [Fact]
    public void Pinned_provider_outside_allowed_providers_is_a_conflict()
    {
        var errors = Errors(new() { Policy = new() { Mode = "pinned", PinnedProvider = "vercel", AllowedProviders = ["e2b"] } });

        Assert.Equal(["policy.pinned_provider: conflicts with policy.allowed_providers: 'vercel' is pinned but not allowed"], errors);
    }

    [Fact]
    public void Pinned_provider_with_another_explicit_mode_is_a_conflict()
    {
        var errors = Errors(new() { Policy = new() { Mode = "cheapest", PinnedProvider = "vercel" } });

        Assert.Single(errors);
        Assert.StartsWith("policy.pinned_provider: conflicts with policy.mode cheapest", errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Pinned_provider_without_mode_means_pinned()
    {
        var request = Build.Valid(new() { Policy = new() { PinnedProvider = "vercel" } });

        Assert.Equal(RoutingMode.Pinned, request.Policy.Mode);
        Assert.Equal("vercel", request.Policy.PinnedProvider);
    }

    [Fact]
    public void Unknown_allowed_provider_names_its_index()
    {
        var errors = Errors(new() { Policy = new() { AllowedProviders = ["vercel", "vercell"] } });

        Assert.Single(errors);
        Assert.StartsWith("policy.allowed_providers[1]: unknown provider 'vercell'", errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_cost_and_non_positive_startup_ceilings_are_rejected()
    {
        var errors = Errors(new() { Policy = new() { MaxCostUsd = -0.1, MaxStartupMs = 0 } });

        Assert.Equal(2, errors.Count);
        Assert.StartsWith("policy.max_cost_usd:", errors[0], StringComparison.Ordinal);
        Assert.StartsWith("policy.max_startup_ms:", errors[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Every_error_is_reported_at_once()
    {
        var errors = Errors(new()
        {
            Workload = "batch",
            Requirements = new() { TimeoutMinutes = -1 },
            Policy = new() { Mode = "fast" },
        });

        Assert.Equal(3, errors.Count);
    }

    [Theory]
    [InlineData("sbx_123")]
    [InlineData("cmp_")]
    [InlineData("provider_heroku")]
    public void Malformed_target_compute_id_is_rejected(string target)
    {
        var errors = Errors(new() { TargetComputeId = target });

        Assert.Single(errors);
        Assert.StartsWith("target_compute_id:", errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Target_provider_outside_allowed_providers_is_a_conflict()
    {
        var errors = Errors(new() { TargetComputeId = "provider_vercel", Policy = new() { AllowedProviders = ["e2b"] } });

        Assert.Equal(["target_compute_id: conflicts with policy.allowed_providers: 'vercel' is targeted but not allowed"], errors);
    }

    [Theory]
    [InlineData("p69")]
    [InlineData("cerver_local")]
    [InlineData("cerver_local_provider")]
    [InlineData(" Local ")]
    public void Local_aliases_resolve_in_pinned_and_allowed_providers(string alias)
    {
        var request = Build.Valid(new() { Policy = new() { Mode = "pinned", PinnedProvider = alias, AllowedProviders = [alias, "local"] } });

        Assert.Equal("local", request.Policy.PinnedProvider);
        Assert.Equal(["local"], request.Policy.AllowedProviders);
    }

    [Theory]
    [InlineData("provider_local")]
    [InlineData("provider_p69")]
    [InlineData("provider_cerver_local_provider")]
    public void Provider_handle_targets_resolve_aliases(string handle)
    {
        var request = Build.Valid(new() { TargetComputeId = handle });

        Assert.Equal(new ComputeTarget(ComputeTargetKind.Provider, "local"), request.Target);
    }

    [Fact]
    public void Compute_id_target_is_kept_verbatim()
    {
        var request = Build.Valid(new() { TargetComputeId = "cmp_Mini01" });

        Assert.Equal(new ComputeTarget(ComputeTargetKind.Compute, "cmp_Mini01"), request.Target);
    }

    [Fact]
    public void Contract_full_request_maps_every_field()
    {
        var request = Build.FromJson(Fixture.Read("gateway-session-create-full.request.json"));

        Assert.Equal("boot a preview and run a smoke check", request.Task);
        Assert.Equal(Workload.Preview, request.Workload);
        Assert.Equal("nextjs", request.Repo.Framework);
        Assert.Equal(["typescript"], request.Repo.Languages);
        Assert.Equal(2, request.Repo.Signals.Count);
        Assert.Equal("node", request.Requirements.Runtime);
        Assert.True(request.Requirements.PackageInstall);
        Assert.True(request.Requirements.PublicPreview);
        Assert.Equal(PersistenceLevel.Medium, request.Requirements.Persistence);
        Assert.Equal(15, request.Requirements.TimeoutMinutes);
        Assert.Equal(["vercel", "cloudflare", "e2b"], request.Policy.AllowedProviders);
        Assert.Equal(0.2, request.Policy.MaxCostUsd);
        Assert.Equal(2500, request.Policy.MaxStartupMs);
        Assert.Equal("high", request.Metadata!.Value.GetProperty("importance").GetString());
    }

    [Fact]
    public void Contract_shell_request_is_pinned_to_vercel()
    {
        var request = Build.FromJson(Fixture.Read("gateway-session-create-shell.request.json"));

        Assert.Equal(RoutingMode.Pinned, request.Policy.Mode);
        Assert.Equal("vercel", request.Policy.PinnedProvider);
        Assert.Equal("shell", request.Requirements.Runtime);
    }

    [Fact]
    public void Contract_preview_request_keeps_the_session_name()
    {
        var request = Build.FromJson(Fixture.Read("gateway-session-create-preview.request.json"));

        Assert.Equal("preview-session", request.SessionName);
        Assert.Equal(2000, request.Policy.MaxStartupMs);
    }
}
