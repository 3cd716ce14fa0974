import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { InboundJournal, JournalEntry, JournalReplayer } from '../../core/ports.js';
import { isDatabaseUnavailable } from '../../db/client.js';
import type { Logger } from '../../logger.js';

/** How often the replayer looks for work (only files with unreplayed entries cost anything). */
const REPLAY_EVERY_MS = 1_000;
/** Proof of life of a journal's owner; a journal whose owner has been silent this long is adopted. */
const HEARTBEAT_MS = 5_000;
const ORPHAN_AFTER_MS = 30_000;
/** An entry that keeps failing for a reason other than Postgres being away goes to the dead letters. */
const MAX_TRIES = 3;

/**
 * A local, append-only spool of verified webhooks that could not be committed
 * (Postgres away): one JSON line per delivery, fsynced before the webhook is
 * answered, replayed in order once Postgres answers again.
 *
 * Why a file and not Redis: the journal must survive exactly the outage it
 * covers plus a crash or restart of the process, and a Redis without AOF
 * (the default; the fault suite restarts it empty) would lose it. A file with
 * fsync on a persistent volume holds on any box. Exactly once comes from the
 * entry keeping the vendor's delivery id (MessageSid, CallSid…): replaying an
 * entry twice (a crash between storing it and moving the offset) is a no-op.
 *
 * Several processes may share the folder: each writes and replays its own
 * file (`<instance>.jsonl`, heartbeat `<instance>.alive`); a file whose owner
 * stopped (no heartbeat for 30 s) is adopted by renaming it — atomic, so one
 * process wins — and replayed by the adopter.
 */
export type WebhookJournal = InboundJournal & { start(): void; stop(): Promise<void> };

export async function createWebhookJournal(dir: string, log: Logger): Promise<WebhookJournal> {
  await fs.mkdir(path.join(dir, 'dead'), { recursive: true });
  const instance = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const own = path.join(dir, `${instance}.jsonl`);
  const alive = path.join(dir, `${instance}.alive`);
  const replayers = new Map<string, JournalReplayer>();
  const tries = new Map<string, number>();
  let fh: FileHandle | undefined;
  /** Unreplayed entries in our own file (appends since the last truncation). */
  let backlog = 0;
  let seq = 0;
  let lock: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = lock.then(fn, fn);
    lock = run.catch(() => {});
    return run;
  };
  let replaying: Promise<void> | null = null;
  let timers: NodeJS.Timeout[] = [];

  await fs.writeFile(alive, '');

  async function readOffset(file: string): Promise<number> {
    try {
      return Number(await fs.readFile(`${file}.offset`, 'utf8')) || 0;
    } catch {
      return 0;
    }
  }

  /** Replays one file from its saved offset. Returns false when Postgres is still away. */
  async function replayFile(file: string): Promise<boolean> {
    let offset = await readOffset(file);
    let data: Buffer;
    try {
      data = await fs.readFile(file);
    } catch {
      return true;
    }
    let ok = true;
    while (offset < data.length) {
      const nl = data.indexOf(0x0a, offset);
      if (nl < 0) break; // a line still being written (or torn by a crash): wait for its newline
      const line = data.subarray(offset, nl).toString('utf8');
      let entry: JournalEntry | undefined;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch {
        log.error({ file }, 'journal line unreadable; moved to dead letters');
        await fs.appendFile(path.join(dir, 'dead', 'unreadable.jsonl'), `${line}\n`);
      }
      if (entry) {
        const replayer = replayers.get(entry.kind);
        try {
          if (!replayer) throw new Error(`no replayer for ${entry.kind}`);
          await replayer(entry);
          tries.delete(entry.id);
        } catch (err) {
          if (isDatabaseUnavailable(err)) {
            ok = false;
            break;
          }
          const n = (tries.get(entry.id) ?? 0) + 1;
          tries.set(entry.id, n);
          if (n < MAX_TRIES) {
            log.warn({ kind: entry.kind, id: entry.id, err }, 'journal replay failed; will try again');
            ok = false;
            break;
          }
          tries.delete(entry.id);
          log.error({ kind: entry.kind, id: entry.id, err }, 'journal entry keeps failing; moved to dead letters');
          await fs.appendFile(path.join(dir, 'dead', `${entry.kind}.jsonl`), `${line}\n`);
        }
      }
      offset = nl + 1;
      if (file === own) backlog = Math.max(0, backlog - 1);
      await fs.writeFile(`${file}.offset`, String(offset));
    }
    if (!ok) return false;
    if (file === own) {
      // Done with everything written so far: start the file afresh, unless an entry arrived meanwhile.
      await exclusive(async () => {
        const { size } = await fs.stat(own);
        if (size === offset && fh) {
          await fh.truncate(0);
          await fh.datasync();
          await fs.rm(`${own}.offset`, { force: true });
          backlog = 0;
        }
      });
    } else {
      await fs.rm(file, { force: true });
      await fs.rm(`${file}.offset`, { force: true });
    }
    return true;
  }

  /** Journals of processes that stopped (no heartbeat): taken over by renaming, so one process wins. */
  async function adoptOrphans() {
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.endsWith('.jsonl') || name.startsWith(`${instance}.`)) continue;
      const owner = name.split('.')[0];
      const beat = await fs.stat(path.join(dir, `${owner}.alive`)).catch(() => null);
      if (beat && Date.now() - beat.mtimeMs < ORPHAN_AFTER_MS) continue;
      const adopted = path.join(dir, `${instance}.adopted.${name}`);
      try {
        await fs.rename(path.join(dir, name), adopted);
        await fs.rename(path.join(dir, `${name}.offset`), `${adopted}.offset`).catch(() => {});
        log.info({ from: owner }, 'adopted the webhook journal of a stopped process');
      } catch {
        // Another process adopted it first.
      }
      await fs.rm(path.join(dir, `${owner}.alive`), { force: true });
    }
  }

  async function replayAll() {
    await adoptOrphans();
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    const adopted = names.filter((n) => n.startsWith(`${instance}.adopted.`) && n.endsWith('.jsonl')).sort();
    // Adopted journals first: they hold the older deliveries.
    for (const name of adopted) if (!(await replayFile(path.join(dir, name)))) return;
    if (backlog > 0 || (await fs.stat(own).catch(() => null))?.size) await replayFile(own);
  }

  function replayNow() {
    replaying ??= replayAll()
      .catch((err: unknown) => log.warn({ err }, 'journal replay pass failed'))
      .finally(() => {
        replaying = null;
      });
    return replaying;
  }

  return {
    async append(e) {
      const entry: JournalEntry = { ...e, id: `${instance}-${++seq}`, receivedAt: new Date().toISOString() };
      await exclusive(async () => {
        fh ??= await fs.open(own, 'a');
        await fh.write(`${JSON.stringify(entry)}\n`);
        // Durable before Twilio hears 200.
        await fh.datasync();
        backlog += 1;
      });
    },
    hasBacklog: () => backlog > 0,
    register(kind, replayer) {
      replayers.set(kind, replayer);
    },
    replayNow,
    start() {
      const beat = () => {
        const now = new Date();
        fs.utimes(alive, now, now).catch(() => fs.writeFile(alive, '').catch(() => {}));
      };
      timers = [setInterval(beat, HEARTBEAT_MS), setInterval(() => void replayNow(), REPLAY_EVERY_MS)];
      for (const t of timers) t.unref();
      void replayNow();
    },
    async stop() {
      for (const t of timers) clearInterval(t);
      await replaying;
      await exclusive(async () => {
        await fh?.close();
        fh = undefined;
      });
      // Nothing left to replay: leave no files behind. Otherwise the journal stays for the next process.
      const size = (await fs.stat(own).catch(() => null))?.size ?? 0;
      if (size === 0) await fs.rm(own, { force: true });
      await fs.rm(alive, { force: true });
    },
  };
}
