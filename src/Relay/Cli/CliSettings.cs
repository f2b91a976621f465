using Cerver.Relay.Configuration;

namespace Cerver.Relay.Cli;

/// <summary>Loads the settings for a verb; a setting that cannot be used ends the verb with its sentence and exit 4.</summary>
public static class CliSettings
{
    /// <summary>The settings, or a <see cref="CliExitException"/> (<see cref="ExitCodes.Configuration"/>) naming the value and where it came from.</summary>
    public static RelaySettings Load(SettingsOverrides? overrides = null)
    {
        try
        {
            return RelaySettingsLoader.Load(RelaySettingsLoader.ProcessEnvironment(), overrides);
        }
        catch (SettingsException exception)
        {
            throw new CliExitException(exception.Message, ExitCodes.Configuration, exception);
        }
    }

    /// <summary>
    /// Kept for the verbs written as <c>if (!CliSettings.TryLoad(out var s)) return …;</c>: it always
    /// returns true, since a bad setting now ends the verb through <see cref="Load"/> with exit 4.
    /// </summary>
    public static bool TryLoad(out RelaySettings settings, SettingsOverrides? overrides = null)
    {
        settings = Load(overrides);
        return true;
    }
}
