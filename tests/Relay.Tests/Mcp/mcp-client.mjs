// A real MCP client for the tests: the official TypeScript SDK, on stdio or Streamable HTTP.
// argv[2] is the plan: {"sdk": "<folder the SDK is installed in>", "transport": {...}, "steps": [...]}.
// transport: {"kind": "stdio", "command", "args", "env"} or {"kind": "http", "url", "headers"}.
// steps: {"list": true} | {"call": "<tool>", "arguments": {...}} | {"wait": true} (reads one stdin line).
// Every outcome is one JSON line on stdout, for the C# test to assert on.
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { createInterface } from "node:readline";

const plan = JSON.parse(process.argv[2]);
const sdk = (module) => import(pathToFileURL(join(plan.sdk, "node_modules", "@modelcontextprotocol", "sdk", "dist", "esm", module)).href);
const { Client } = await sdk("client/index.js");
const emit = (event) => process.stdout.write(JSON.stringify(event) + "\n");
const errorOf = (error) => ({ code: error?.code ?? null, message: String(error?.message ?? error) });

let transport;
if (plan.transport.kind === "stdio") {
  const { StdioClientTransport, getDefaultEnvironment } = await sdk("client/stdio.js");
  transport = new StdioClientTransport({
    command: plan.transport.command,
    args: plan.transport.args,
    env: { ...getDefaultEnvironment(), ...plan.transport.env },
    stderr: "pipe",
  });
} else {
  const { StreamableHTTPClientTransport } = await sdk("client/streamableHttp.js");
  transport = new StreamableHTTPClientTransport(new URL(plan.transport.url), { requestInit: { headers: plan.transport.headers ?? {} } });
}

const client = new Client({ name: "cerver-relay-tests", version: "1.0.0" });
try {
  await client.connect(transport);
} catch (error) {
  emit({ event: "connect_failed", error: errorOf(error) });
  process.exit(0);
}
emit({ event: "connected", server: client.getServerVersion() });

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
for (const step of plan.steps) {
  if (step.list) {
    const { tools } = await client.listTools();
    emit({ event: "tools", tools });
  } else if (step.wait) {
    emit({ event: "waiting" });
    await lines.next();
  } else {
    try {
      const result = await client.callTool({ name: step.call, arguments: step.arguments ?? {} });
      emit({ event: "call", name: step.call, result });
    } catch (error) {
      emit({ event: "call", name: step.call, error: errorOf(error) });
    }
  }
}

await client.close();
process.exit(0);
