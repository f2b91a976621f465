namespace Cerver.Relay.Service;

/// <summary>Where the service stands, from the most basic thing missing to running.</summary>
public enum ServiceState
{
    /// <summary>No service manager can run it here (see <see cref="ServiceStatus.ManagerMissing"/>).</summary>
    NoManager,
    NotInstalled,
    Stopped,
    Running,
}

/// <summary>What <c>service status</c> and <c>doctor</c> report; its JSON form is <c>service status --json</c>.</summary>
public sealed record ServiceStatus
{
    public required string Manager { get; init; }
    public required ServiceScope Scope { get; init; }
    public required string DefinitionPath { get; init; }
    public required bool Installed { get; init; }
    public required string User { get; init; }

    /// <summary>What is missing for a service manager to run the relay here; null when one can.</summary>
    public string? ManagerMissing { get; init; }

    /// <summary>systemd user services only: whether the user's services keep running after logout.</summary>
    public bool? Linger { get; init; }

    public ServiceState State { get; init; }
    public bool Running { get; init; }

    /// <summary>The sentences to show a person.</summary>
    public string Detail { get; init; } = "";

    /// <summary>With no service manager: the command that keeps the relay running without one.</summary>
    public string? FallbackCommand { get; init; }

    public static string Name(ServiceState state) => state switch
    {
        ServiceState.NoManager => "no_manager",
        ServiceState.NotInstalled => "not_installed",
        ServiceState.Stopped => "stopped",
        _ => "running",
    };
}
