/**
 * Where downloaded datasets live: `$KSHOT_DATA` when set, else the per-user cache
 * (`$XDG_CACHE_HOME/kshot`, else `~/.cache/kshot`). Each dataset is a folder inside it (`omniglot/`).
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { KshotError } from "../errors.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** The folder that holds kshot's datasets. */
export function dataRoot(env: Env): string {
  if (env.KSHOT_DATA) return resolve(env.KSHOT_DATA);
  if (env.XDG_CACHE_HOME) return join(resolve(env.XDG_CACHE_HOME), "kshot");
  const home = env.HOME ?? homedir();
  if (!home) throw new KshotError("cannot find a cache folder: set KSHOT_DATA, XDG_CACHE_HOME or HOME");
  return join(home, ".cache", "kshot");
}

/** The folder of one dataset in the data root. */
export function datasetFolder(env: Env, dataset: string): string {
  return join(dataRoot(env), dataset);
}
