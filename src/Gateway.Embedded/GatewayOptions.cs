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

    /// <summary>How long a device code of <c>POST /v2/auth/device</c> can be approved.</summary>
    public TimeSpan DeviceCodeLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Anonymous <c>POST /v2/auth/device</c> calls this process takes in a burst; beyond it one
    /// more per <see cref="DeviceStartRefill"/>. A person logs in a relay a few times a day.
    /// </summary>
    public int DeviceStartBurst { get; set; } = 10;

    public TimeSpan DeviceStartRefill { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>Device codes that may wait for approval at once; more are refused until some expire or are decided.</summary>
    public int MaxPendingDeviceCodes { get; set; } = 100;

    /// <summary>How often expired device codes are deleted, and how long after expiry one is kept (so a late poll still hears <c>expired_token</c>).</summary>
    public TimeSpan DeviceCodeSweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan DeviceCodeRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The polling interval a device is told to keep (whole seconds on the wire).</summary>
    public int DevicePollIntervalSeconds { get; set; } = 5;

    /// <summary>How often linked relays heartbeat; a relay that misses <see cref="MissedHeartbeatsBeforeOffline"/> is offline.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(60);

    public int MissedHeartbeatsBeforeOffline { get; set; } = 3;

    /// <summary>This machine as the provider names it to the hosted gateway (<c>GET /api/cerver/provider</c>).</summary>
    public string MachineId { get; set; } = "";

    public string Label { get; set; } = Environment.MachineName;
}
