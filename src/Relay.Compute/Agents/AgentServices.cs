namespace Cerver.Relay.Compute.Agents;

/// <summary>What the compute needs to run agent turns: the harnesses, where their CLIs are, their credentials, and the turn slots.</summary>
public sealed record AgentServices(AgentHarnesses Harnesses, AgentCliLocator Locator, AgentCredentials Credentials, Turns.AgentTurnSlots Slots);
