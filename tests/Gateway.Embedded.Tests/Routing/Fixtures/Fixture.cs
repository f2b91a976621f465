namespace Cerver.Gateway.Embedded.Tests.Routing.Fixtures;

// Fixtures are copies of the contract examples kept beside the tests. They are found by
// walking up from the test output folder, so a copy-to-output item (if the project file
// ever adds one) is used first and a plain checkout works without it.
internal static class Fixture
{
    public static string Read(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "Routing", "Fixtures", name);
            if (File.Exists(candidate))
            {
                return File.ReadAllText(candidate);
            }
        }

        throw new FileNotFoundException($"Fixture {name} not found above {AppContext.BaseDirectory}.");
    }
}
