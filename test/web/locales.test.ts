// The desk's catalogues stay complete: every key in one language exists in the other, and
// every key the desk asks for with t('…') exists in English (the fallback language).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const localesDir = join(root, 'src/web/locales');
const webDir = join(root, 'src/web');

type Catalogue = { [key: string]: string | Catalogue };
const load = (lang: string) => JSON.parse(readFileSync(join(localesDir, `${lang}.json`), 'utf8')) as Catalogue;

/** Flattened keys, e.g. `inbox.empty.title`, `crisis.more_one`. */
export function flatKeys(c: Catalogue, prefix = ''): string[] {
  return Object.entries(c).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : flatKeys(v, `${prefix}${k}.`)));
}

const PLURAL = /_(zero|one|two|few|many|other)$/;
/** `x_one`/`x_other` answer t('x', {count}); English and Spanish both use exactly one and other. */
const baseKey = (k: string) => k.replace(PLURAL, '');

/** Keys present in `a` and not in `b`. */
export const missingIn = (a: string[], b: string[]) => {
  const have = new Set(b);
  return a.filter((k) => !have.has(k));
};

/**
 * Keys built at run time (`t(\`channels.${c}\`)`): each template must be listed here with the
 * subtree it reads, so a new dynamic key is a conscious choice and its subtree is checked to exist.
 */
const DYNAMIC_KEYS: Record<string, string> = {
  'channels.${}': 'channels',
  'crisis.category.${}': 'crisis.category',
  'crisis.level.${}': 'crisis.level',
  'contact.kinds.${}': 'contact.kinds',
  'status.${}': 'status',
  'roles.${}': 'roles',
  'presence.${}': 'presence',
  'languages.${}': 'languages',
  'requests.clock.${}': 'requests.clock',
  'reports.presets.${}': 'reports.presets',
  'reports.none.${}': 'reports.none',
  'reports.groups.${}': 'reports.groups',
  'login.sso.${}': 'login.sso',
  'contactPage.merge.reasons.${}': 'contactPage.merge.reasons',
  'admin.tabs.${}': 'admin.tabs',
  'admin.queues.autoReply.${}': 'admin.queues.autoReply',
  'admin.ivr.types.${}': 'admin.ivr.types',
  'admin.inboxes.placeholders.${}': 'admin.inboxes.placeholders',
  'admin.inboxes.kinds.${}': 'admin.inboxes.kinds',
  'admin.queues.callbackOrders.${}.label': 'admin.queues.callbackOrders',
  'admin.queues.callbackOrders.${}.hint': 'admin.queues.callbackOrders',

  'softphone.states.${}': 'softphone.states',
  'offers.titles.${}': 'offers.titles',
  'sandbox.call.states.${}': 'sandbox.call.states',
  'sandbox.newContact.${}': 'sandbox.newContact',
  'sandbox.body.${}': 'sandbox.body',
  'channelPlurals.${}': 'channelPlurals',
  'channelNouns.${}': 'channelNouns',
  'timeline.voice.${}': 'timeline.voice',
  'timeline.delivery.${}': 'timeline.delivery',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Every t('…') / t(`…`) / i18next.t('…') first argument in the desk, with where it is. */
export function keysUsed(files: string[]) {
  const found: { key: string; dynamic: boolean; where: string }[] = [];
  const call = /(?<![\w$])t\(\s*(?:'([^'\n]+)'|"([^"\n]+)"|`([^`\n]+)`)/g;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(call)) {
      const line = text.slice(0, m.index).split('\n').length;
      const where = `${relative(root, file)}:${line}`;
      if (m[3] !== undefined && m[3].includes('${')) {
        found.push({ key: m[3].replace(/\$\{[^}]*\}/g, '${}'), dynamic: true, where });
      } else {
        found.push({ key: m[1] ?? m[2] ?? m[3], dynamic: false, where });
      }
    }
  }
  return found;
}

const en = load('en');
const languages = readdirSync(localesDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''));
const enKeys = flatKeys(en);

describe('desk catalogues', () => {
  it('finds plural and nested keys (the helpers themselves)', () => {
    const keys = flatKeys({ a: { b: 'x', c_one: 'y', c_other: 'z' } });
    expect(keys).toEqual(['a.b', 'a.c_one', 'a.c_other']);
    expect(missingIn(keys, ['a.b', 'a.c_one'])).toEqual(['a.c_other']);
    expect(keysUsed([join(webDir, 'i18n.ts')])).toEqual([]);
  });

  it.each(languages.filter((l) => l !== 'en'))('en and %s have the same keys, plural forms included', (lang) => {
    const other = flatKeys(load(lang));
    expect(missingIn(enKeys, other), `in en.json, missing from ${lang}.json`).toEqual([]);
    expect(missingIn(other, enKeys), `in ${lang}.json, missing from en.json`).toEqual([]);
  });

  it('has no empty texts', () => {
    for (const lang of languages) {
      const c = load(lang);
      const empty = flatKeys(c).filter((k) => {
        const v = k.split('.').reduce<string | Catalogue>((o, p) => (o as Catalogue)[p], c);
        return typeof v === 'string' && v.trim() === '';
      });
      expect(empty, lang).toEqual([]);
    }
  });

  const used = keysUsed(sourceFiles(webDir));
  const bases = new Set(enKeys.map(baseKey));
  const subtrees = new Set(enKeys.flatMap((k) => k.split('.').map((_, i, parts) => parts.slice(0, i).join('.'))));

  it('every t() key the desk uses exists in en.json', () => {
    expect(used.length).toBeGreaterThan(300); // the scan really reads the desk
    const missing = used.filter((u) => !u.dynamic && !bases.has(u.key)).map((u) => `${u.where} ${u.key}`);
    expect(missing).toEqual([]);
  });

  it('dynamic keys only through the declared list, each with its subtree in en.json', () => {
    const undeclared = used.filter((u) => u.dynamic && !(u.key in DYNAMIC_KEYS)).map((u) => `${u.where} ${u.key}`);
    expect(undeclared).toEqual([]);
    const inUse = new Set(used.filter((u) => u.dynamic).map((u) => u.key));
    const absent = Object.entries(DYNAMIC_KEYS)
      .filter(([template]) => inUse.has(template))
      .filter(([, subtree]) => !subtrees.has(subtree))
      .map(([template]) => template);
    expect(absent).toEqual([]);
    // The list stays as short as the desk needs: a template nobody uses any more leaves it.
    expect(Object.keys(DYNAMIC_KEYS).filter((template) => !inUse.has(template))).toEqual([]);
  });
});
