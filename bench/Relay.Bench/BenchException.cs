namespace Cerver.Relay.Bench;

/// <summary>A failure the benchmark reports as one line and a non-zero exit code.</summary>
internal sealed class BenchException(string message, Exception? inner = null) : Exception(message, inner);
