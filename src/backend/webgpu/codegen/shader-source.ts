/** The WGSL of shaders/NAME.wgsl, as inlined by the build into src/generated/shaders.ts. */
import { SHADERS } from "../../../generated/shaders.ts";
import { KshotError } from "../../../errors.ts";

export function shaderSource(name: string): string {
  const source = SHADERS[name];
  if (source === undefined) {
    throw new KshotError(`webgpu: expected shaders/${name}.wgsl in src/generated/shaders.ts; run \`node scripts/build.mjs generate\``);
  }
  return source;
}
