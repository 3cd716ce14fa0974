/**
 * A TCP proxy in front of Postgres that counts the statements its clients run, by text, for
 * `BENCH_PROFILE` (pg_stat_statements needs `shared_preload_libraries`, i.e. a server restart).
 *
 * It reads only the client → server half of the wire protocol: after the untyped startup
 * message every message is a type byte and a length. postgres-js uses the extended protocol:
 * `Parse` names a statement and carries its text, each `Bind` runs a named statement once (an
 * unnamed one runs the text of the last unnamed `Parse`); a simple `Query` counts as one.
 */
import net from 'node:net';

export type StatementCounts = Map<string, number>;

/** Key under which `Parse` messages are counted (a statement prepared again: one more round trip). */
export const PARSES = '(Parse messages)';

export async function startStatementCounter(targetPort: number) {
  const counts: StatementCounts = new Map();
  const open = new Set<net.Socket>();
  const count = (text: string) => counts.set(text, (counts.get(text) ?? 0) + 1);

  const server = net.createServer((client) => {
    const up = net.connect(targetPort, '127.0.0.1');
    open.add(client).add(up);
    for (const s of [client, up]) {
      s.on('error', () => {});
      s.once('close', () => {
        open.delete(s);
        client.destroy();
        up.destroy();
      });
    }
    up.pipe(client);
    const named = new Map<string, string>();
    let unnamed = '';
    let buf: Buffer = Buffer.alloc(0);
    let startup = true;
    client.on('data', (chunk: Buffer) => {
      up.write(chunk);
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        if (startup) {
          if (buf.length < 4) return;
          const len = buf.readInt32BE(0);
          if (buf.length < len) return;
          buf = buf.subarray(len);
          startup = false;
          continue;
        }
        if (buf.length < 5) return;
        const type = String.fromCharCode(buf[0]);
        const len = buf.readInt32BE(1);
        if (buf.length < 1 + len) return;
        const body = buf.subarray(5, 1 + len);
        buf = buf.subarray(1 + len);
        if (type === 'Q') count(cstrings(body, 1)[0]);
        else if (type === 'P') {
          const [name, text] = cstrings(body, 2);
          counts.set(PARSES, (counts.get(PARSES) ?? 0) + 1);
          if (name) named.set(name, text);
          else unnamed = text;
        } else if (type === 'B') {
          const [, statement] = cstrings(body, 2);
          count(statement ? (named.get(statement) ?? `? ${statement}`) : unnamed);
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    counts,
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function cstrings(b: Buffer, n: number): string[] {
  const out: string[] = [];
  let at = 0;
  for (let i = 0; i < n; i++) {
    const end = b.indexOf(0, at);
    if (end < 0) break;
    out.push(b.toString('utf8', at, end));
    at = end + 1;
  }
  return out;
}
