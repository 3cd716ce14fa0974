// Guards a crash in postgres-js 3.4.x (porsager/postgres#1066, #1154, #1208; fix proposed
// upstream in #1168 / #1209, not released yet): when Postgres drops a connection while a
// transaction is still writing (e.g. its ROLLBACK), a queued write runs on a null socket and
// throws from a setImmediate callback, killing the whole process. Switchboard must survive
// a Postgres outage (webhooks answer 5xx until it is back), so after `npm install` this
// makes that write fail its queries with CONNECTION_CLOSED instead. Idempotent; a no-op
// once upstream ships a guarded nextWrite.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../node_modules/postgres/', import.meta.url));
const MARK = 'switchboard: nextWrite guard';
const FROM = '  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)';
const TO = `  function nextWrite(fn) {
    if (!socket) { // ${MARK}
      nextWriteTimer !== null && clearImmediate(nextWriteTimer)
      chunk = nextWriteTimer = null
      error(Errors.connection('CONNECTION_CLOSED', options, socket))
      return false
    }
    const x = socket.write(chunk, fn)`;

let patched = 0;
for (const rel of ['src/connection.js', 'cjs/src/connection.js', 'cf/src/connection.js']) {
  const file = root + rel;
  if (!existsSync(file)) continue;
  const text = readFileSync(file, 'utf8');
  if (text.includes(MARK) || !text.includes(FROM)) continue;
  writeFileSync(file, text.replace(FROM, TO));
  patched += 1;
}
if (patched) process.stdout.write(`patched postgres-js nextWrite in ${patched} file(s)\n`);
