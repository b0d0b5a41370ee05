/** `kshot info [--json]`: the backends this runtime offers, which one `auto` picks, versions. */
import { backendReport } from "../../init.ts";
import { flag, type ParsedFlags } from "../args.ts";
import { nodeGPU } from "../backend.ts";
import type { Command } from "../command.ts";
import type { CliIO } from "../io.ts";
import { packageInfo } from "../package-root.ts";

export const infoCommand: Command = {
  name: "info",
  summary: "the backends available here, which one --backend auto picks, versions",
  synopsis: "[--json]",
  flags: ["json"],
  run: info,
};

async function info(f: ParsedFlags, io: CliIO): Promise<number> {
  const gpu = await nodeGPU(io.env);
  const report = await backendReport(gpu ? { gpu } : {});
  const backends = [
    ...(report.webgpu.available ? ["webgpu"] : []),
    ...(report.wasm.available ? ["wasm"] : []),
    "reference",
  ];
  const info = {
    kshot: packageInfo().version,
    node: process.versions.node,
    v8: process.versions.v8,
    platform: `${process.platform}-${process.arch}`,
    backends,
    auto: report.auto,
    webgpu: report.webgpu,
    wasm: report.wasm,
  };
  if (flag.on(f, "json")) {
    io.out(JSON.stringify(info));
    return 0;
  }
  io.out(`kshot ${info.kshot} on Node ${info.node} (V8 ${info.v8}, ${info.platform})`);
  io.out(`backends available: ${backends.join(", ")}; auto picks ${report.auto}`);
  const w = report.wasm;
  const threads = w.threadsUnavailable ? `1 thread (${w.threadsUnavailable})` : `${w.autoThreads} threads by default`;
  io.out(`wasm: ${w.available ? `yes, ${threads}; build with deterministic: false: ${w.fastBuild}` : "no"}`);
  const g = report.webgpu;
  io.out(`webgpu: ${g.available ? `${g.description}${g.isSoftware ? " (software: used only when asked for by name)" : ""}` : `no (${g.reason ?? "no adapter"})`}`);
  return 0;
}
