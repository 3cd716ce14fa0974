import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml, type YAMLParseError } from 'yaml';
import { APP_ROOT } from '../app-root.js';
import { ZFlow, type Flow } from './flow-schema.js';

/** The flow used for any called number no inbox maps to a flow. */
export const DEFAULT_FLOW = 'main';

export type Flows = ReadonlyMap<string, Flow>;

/** A flow file that cannot be used; the message names the file and the node path. */
export class FlowError extends Error {
  constructor(
    readonly file: string,
    readonly path: string,
    detail: string,
  ) {
    super(`${file}${path ? `: ${path}` : ''}: ${detail}`);
    this.name = 'FlowError';
  }
}

/** Parses and validates one flow file's text. Throws FlowError. */
export function parseFlow(file: string, text: string): Flow {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    const e = err as YAMLParseError;
    throw new FlowError(file, '', `not valid YAML (${e.message.split('\n')[0]})`);
  }
  const parsed = ZFlow.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FlowError(file, issue.path.join('.'), issue.message);
  }
  return parsed.data;
}

/**
 * Reads every `*.yaml` / `*.yml` in `dir` (the file name is the flow name).
 * The default flow must exist. Throws FlowError on the first bad file.
 */
export function loadFlowsSync(dir: string): Map<string, Flow> {
  const abs = locate(dir);
  let files: string[];
  try {
    files = readdirSync(abs)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
  } catch {
    throw new FlowError(dir, '', 'IVR flows directory not found (IVR_FLOWS_DIR)');
  }
  const flows = new Map<string, Flow>();
  for (const f of files) {
    const name = basename(f).replace(/\.ya?ml$/, '');
    const shown = join(dir, f);
    if (!/^[a-z0-9_-]+$/i.test(name))
      throw new FlowError(shown, '', 'flow file names are letters, digits, _ and - (the name is used in URLs)');
    flows.set(name, parseFlow(shown, readFileSync(join(abs, f), 'utf8')));
  }
  if (!flows.has(DEFAULT_FLOW)) throw new FlowError(join(dir, `${DEFAULT_FLOW}.yaml`), '', 'the default flow is missing');
  return flows;
}

/** A relative IVR_FLOWS_DIR is found from the installation's root when the process runs elsewhere. */
function locate(dir: string): string {
  const fromCwd = resolve(dir);
  if (isAbsolute(dir) || existsSync(fromCwd)) return fromCwd;
  const fromRoot = resolve(APP_ROOT, dir);
  return existsSync(fromRoot) ? fromRoot : fromCwd;
}

const cache = new Map<string, Map<string, Flow>>();

/** Loads a directory's flows once per process (start-up validates them; requests reuse them). */
export function flowsFrom(dir: string): Flows {
  const key = locate(dir);
  let flows = cache.get(key);
  if (!flows) {
    flows = loadFlowsSync(dir);
    cache.set(key, flows);
  }
  return flows;
}
