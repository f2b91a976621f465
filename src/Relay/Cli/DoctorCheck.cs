namespace Cerver.Relay.Cli;

public enum Verdict
{
    Ok,
    Warn,
    Fail,
}

/// <summary>One finding of <c>doctor</c>: what was checked, what was found, and how to fix it.</summary>
public sealed record DoctorCheck(string Name, Verdict Verdict, string Detail, string? Fix = null);
