using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Sessions.Agents;
using Cerver.Gateway.Embedded.Sessions.Wire;
using Cerver.Relay.Compute.Contract;

namespace Cerver.Gateway.Embedded.Sessions;

/// <summary>What the <c>cerver</c> CLI does to agent sessions beyond inputs (observed): switch the tool, append entries, resume.</summary>
public sealed partial class SessionService
{
    private const int MaxEntryIdLength = 128;

    private static readonly HashSet<string> Roles = new(StringComparer.Ordinal) { "user", "assistant", "system", "tool" };

    /// <summary>
    /// A model change keeps the agent's own thread; a harness change starts the new CLI on a
    /// fresh thread that is given the conversation so far, and leaves a <c>tool_switch</c> entry.
    /// </summary>
    public SessionRecord SwitchTool(string sessionId, SwitchToolRequest request)
    {
        var session = RequireLive(sessionId);
        if (session.SandboxId is null)
        {
            throw new ComputeException(ComputeErrorKind.Conflict, "no_sandbox", $"Session '{sessionId}' has no sandbox to run an agent in (a transcript-only session).");
        }

        if (Blank(request.CliTool) is null && Blank(request.CliModel) is null)
        {
            throw ComputeException.Invalid("cli_tool", "name a cli_tool or a cli_model to switch to");
        }

        var harness = Blank(request.CliTool) is { } named
            ? harnesses.Find(named) ?? throw ComputeException.Invalid("cli_tool", $"'{named}' is not an agent this relay runs; use one of {harnesses.Names}")
            : null;
        var now = time.GetUtcNow();
        var changed = store.Change(sessionId, current =>
        {
            var metadata = (JsonObject)current.Metadata.DeepClone();
            var previous = SessionMetadata.Text(metadata, "cli_tool");
            if (harness is not null && harness.Name != previous)
            {
                metadata["cli_tool"] = harness.Name;
                metadata.Remove("cli_session_id");
                metadata.Remove("cli_model");
            }

            if (Blank(request.CliModel) is { } model)
            {
                metadata["cli_model"] = model;
            }

            return current with { Metadata = metadata, UpdatedAt = now };
        }, (writes, updated) =>
        {
            if (harness is not null && harness.Name != SessionMetadata.Text(session.Metadata, "cli_tool"))
            {
                writes.AppendTranscript(sessionId, new NewTranscriptEntry("system", "tool_switch", new JsonObject
                {
                    ["type"] = "tool_switch",
                    ["from"] = SessionMetadata.Text(session.Metadata, "cli_tool"),
                    ["to"] = harness.Name,
                    ["cli_model"] = SessionMetadata.Text(updated.Metadata, "cli_model"),
                }.ToJsonString()), now);
            }
        })!;

        return request.Content is { Length: > 0 } content ? AppendInput(sessionId, "user", content).Session : changed;
    }

    /// <summary>
    /// Entries written by the caller, checked and appended in one commit (a transcript-only
    /// session's way in, and a relay's reports). An entry whose id the session already holds is
    /// skipped, so a batch sent again after a lost answer stores nothing twice.
    /// </summary>
    public (int Appended, int Duplicates) AppendEntries(string sessionId, AppendTranscriptRequest request)
    {
        RequireLive(sessionId);
        var entries = request.Entries ?? throw ComputeException.Invalid("entries", "is required: a list of {role, kind?, content}");
        if (entries.Count is 0 or > 1000)
        {
            throw ComputeException.Invalid("entries", "give from 1 to 1000 entries");
        }

        var checkedEntries = entries.Select((entry, index) =>
        {
            if (entry is null || entry.Role is null || !Roles.Contains(entry.Role))
            {
                throw ComputeException.Invalid($"entries[{index}].role", "must be one of user, assistant, system, tool");
            }

            if (entry.Content is null)
            {
                throw ComputeException.Invalid($"entries[{index}].content", "is required");
            }

            if (entry.Id is { Length: 0 or > MaxEntryIdLength })
            {
                throw ComputeException.Invalid($"entries[{index}].id", $"must be from 1 to {MaxEntryIdLength} characters");
            }

            return (Entry: new NewTranscriptEntry(entry.Role, Blank(entry.Kind) ?? "message", entry.Content)
            {
                EntryId = entry.Id,
                ToolName = Blank(entry.ToolName),
                ToolId = Blank(entry.ToolId),
                ToolInput = entry.ToolInput?.DeepClone(),
                IsError = entry.IsError,
            }, entry.At);
        }).ToList();

        var now = time.GetUtcNow();
        var appended = 0;
        // Entries the caller wrote are history, not prompts: the agent's turn cursor moves past them.
        // The check for ids already held runs under the session's lock, in the same commit as the appends.
        store.Change(sessionId, current => current, (writes, _) =>
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            long last = 0;
            foreach (var (entry, at) in checkedEntries)
            {
                if (entry.EntryId is { } id && (!seen.Add(id) || writes.HoldsEntry(sessionId, id)))
                {
                    continue;
                }

                last = writes.AppendTranscript(sessionId, entry, at ?? now).Seq;
                appended++;
            }

            writes.AdvanceTurnCursor(sessionId, last);
        });
        return (appended, checkedEntries.Count - appended);
    }

    /// <summary>Re-attaches an idle session: its waiting inputs, if any, get their turns.</summary>
    public SessionRecord Resume(string sessionId)
    {
        var session = RequireLive(sessionId);
        if (AgentSessionSpec.From(session.Metadata) is not null && session.SandboxId is not null)
        {
            turns.Wake(sessionId);
        }

        return session;
    }
}
