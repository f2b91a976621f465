using Cerver.Relay.Compute.Limits;

namespace Cerver.Relay.Compute.Tests.Limits;

/// <summary>Detection against a cgroup tree laid out in a temporary folder.</summary>
public sealed class CgroupDelegationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cgroup-").FullName;
    private readonly string _self;

    public CgroupDelegationTests()
    {
        _self = Path.Combine(_root, "self-cgroup");
        File.WriteAllText(_self, "0::/user.slice/cerver-relay.service\n");
    }

    [Fact]
    public void Without_cgroup_v2_there_is_no_delegation()
    {
        var detected = CgroupDelegation.Detect(_root, _self);

        Assert.False(detected.Available);
        Assert.Contains("v2", detected.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_controllers_are_named()
    {
        Layout("cpu io");

        var detected = CgroupDelegation.Detect(_root, _self);

        Assert.False(detected.Available);
        Assert.Contains("memory, pids", detected.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_delegated_group_with_memory_and_pids_is_available()
    {
        Layout("cpu memory pids");

        var detected = CgroupDelegation.Detect(_root, _self);

        Assert.True(detected.Available, detected.Detail);
        Assert.EndsWith("cerver-relay.service", detected.Detail, StringComparison.Ordinal);
    }

    private void Layout(string controllers)
    {
        File.WriteAllText(Path.Combine(_root, "cgroup.controllers"), "cpu memory pids io\n");
        var own = Directory.CreateDirectory(Path.Combine(_root, "user.slice", "cerver-relay.service")).FullName;
        File.WriteAllText(Path.Combine(own, "cgroup.controllers"), controllers + "\n");
        File.WriteAllText(Path.Combine(own, "cgroup.subtree_control"), "");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
