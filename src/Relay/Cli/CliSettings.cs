using Cerver.Relay.Configuration;

namespace Cerver.Relay.Cli;

/// <summary>Loads the settings for a verb, turning a bad one into the CLI's error line.</summary>
public static class CliSettings
{
    public static bool TryLoad(out RelaySettings settings, SettingsOverrides? overrides = null)
    {
        try
        {
            settings = RelaySettingsLoader.Load(RelaySettingsLoader.ProcessEnvironment(), overrides);
            return true;
        }
        catch (SettingsException exception)
        {
            CliOutput.Error(exception.Message);
            settings = null!;
            return false;
        }
    }
}
