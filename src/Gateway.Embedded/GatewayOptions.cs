namespace Cerver.Gateway.Embedded;

/// <summary>Settings of the embedded gateway.</summary>
public sealed class GatewayOptions
{
    /// <summary>What an hour of this machine costs, for <c>cost_estimate_usd</c> (default free).</summary>
    public double LocalCostPerMinuteUsd { get; set; }

    /// <summary>A session with no activity for this long ends, unless the request set <c>timeout_minutes</c>.</summary>
    public int DefaultIdleTimeoutMinutes { get; set; } = 60;

    /// <summary>How much of a run's output a transcript's <c>tool_result</c> keeps.</summary>
    public int TranscriptOutputChars { get; set; } = 4096;

    public TimeSpan IdleSweepInterval { get; set; } = TimeSpan.FromSeconds(30);
}
