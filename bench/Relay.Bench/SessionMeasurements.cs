namespace Cerver.Relay.Bench;

/// <summary>
/// The embedded gateway's own cost: creating a session against creating a bare sandbox, and a
/// run through a session against the same run through the compute API, on the same daemon, so
/// the difference is what the session layer (routing, SQLite records, transcript, metrics) adds.
/// </summary>
internal sealed class SessionMeasurements(Interleaver sampler)
{
    private const string TrueCode = "true";

    public async Task<IReadOnlyList<MeasurementResult>> MeasureAsync(IReadOnlyList<RelayDaemon> daemons, CancellationToken cancellationToken)
    {
        var results = new List<MeasurementResult>();

        // f. session create vs sandbox create. Deleting is outside the timing (and needed: the
        //    relay caps the number of live sandboxes, and every session holds one).
        foreach (var daemon in daemons)
        {
            var name = $"session create ({daemon.Isolation})";
            var (created, sandboxes) = await sampler.RunAsync(name, async token =>
            {
                var (id, milliseconds) = await daemon.Client.CreateSessionAsync(token);
                await daemon.Client.DeleteSessionAsync(id, token);
                return milliseconds;
            }, async token =>
            {
                var (id, milliseconds) = await daemon.Client.CreateSandboxAsync(token);
                await daemon.Client.DeleteSandboxAsync(id, token);
                return milliseconds;
            }, cancellationToken);
            results.Add(MeasurementResult.From(name, "ms", created, new Target.AtMost(10), "POST /sandbox on the same daemon", sandboxes));
        }

        // g. gateway run vs compute run: one session and one bare sandbox of the same isolation,
        //    each used for every sample, as an agent would use its session.
        foreach (var daemon in daemons)
        {
            var name = $"gateway run 'true' ({daemon.Isolation})";
            var (sessionId, _) = await daemon.Client.CreateSessionAsync(cancellationToken);
            var (sandboxId, _) = await daemon.Client.CreateSandboxAsync(cancellationToken);
            var (gateway, compute) = await sampler.RunAsync(name,
                token => daemon.Client.SessionRunAsync(sessionId, TrueCode, token),
                token => daemon.Client.RunAsync(sandboxId, TrueCode, token),
                cancellationToken);
            results.Add(MeasurementResult.From(name, "ms", gateway, new Target.DifferenceAtMost(1),
                "POST /sandbox/{id}/run 'true' on a sandbox of the same daemon", compute));
            await daemon.Client.DeleteSessionAsync(sessionId, cancellationToken);
            await daemon.Client.DeleteSandboxAsync(sandboxId, cancellationToken);
        }

        return results;
    }
}
