namespace Cerver.Relay.Update;

/// <summary>An update that cannot go ahead; the message says why and what to do, and nothing installed was changed.</summary>
public sealed class UpdateException(string message, Exception? inner = null) : Exception(message, inner);
