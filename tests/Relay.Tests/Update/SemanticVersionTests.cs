using Cerver.Relay.Update;

namespace Cerver.Relay.Tests.Update;

public sealed class SemanticVersionTests
{
    [Fact]
    public void Precedence_follows_semver_org_including_pre_release_identifiers()
    {
        string[] ascending = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.2.0", "1.10.0", "2.0.0"];
        var parsed = ascending.Select(SemanticVersion.Parse).ToList();
        for (var i = 1; i < parsed.Count; i++)
        {
            Assert.True(parsed[i - 1] < parsed[i], $"{parsed[i - 1]} should rank below {parsed[i]}");
            Assert.True(parsed[i] > parsed[i - 1]);
        }

        Assert.Equal(ascending, parsed.OrderByDescending(version => version).Reverse().Select(version => version.ToString()));
    }

    [Fact]
    public void Build_metadata_and_a_v_prefix_do_not_change_precedence()
    {
        Assert.Equal(SemanticVersion.Parse("1.2.3"), SemanticVersion.Parse("v1.2.3+build.7"));
        Assert.Equal("1.2.3-rc.1+sha.abc", SemanticVersion.Parse("V1.2.3-rc.1+sha.abc").ToString());
        Assert.True(SemanticVersion.Parse("1.2.3-rc.1").IsPreRelease);
        Assert.False(SemanticVersion.Parse("1.2.3").IsPreRelease);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.2")]
    [InlineData("1.2.3.4")]
    [InlineData("01.2.3")]
    [InlineData("1.2.3-")]
    [InlineData("1.2.3-01")]
    [InlineData("1.2.3-a..b")]
    [InlineData("1.2.3+")]
    [InlineData("1.2.x")]
    [InlineData("1.2.3-beta!")]
    [InlineData("bin")]
    public void Invalid_versions_are_refused(string text)
    {
        Assert.False(SemanticVersion.TryParse(text, out _));
        Assert.Throws<FormatException>(() => SemanticVersion.Parse(text));
    }
}
