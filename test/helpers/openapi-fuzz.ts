import { gzipSync } from 'node:zlib';
import fc from 'fast-check';

/**
 * Requests generated from Switchboard's own OpenAPI document: every path and
 * method it lists, with path and query parameters, JSON and form bodies built
 * from the declared schemas, then bent the ways clients and attackers bend
 * them (wrong types, nulls, NUL characters, broken percent-encoding, unknown
 * charsets and encodings, gzip that is not gzip). Signing is the caller's job.
 */
export type Schema = Record<string, any>;
export type OpenApiDoc = { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } };
type Operation = {
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: unknown[];
};

export type FuzzRequest = {
  method: string;
  /** The OpenAPI path template, e.g. `/api/conversations/{id}`. */
  template: string;
  /** Path with parameters filled in and the query string, exactly as sent. */
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Form fields the body carries (Twilio signs these), when it is a well-formed form. */
  form?: Record<string, string>;
  authenticated: boolean;
};

/** Strings that have broken servers before: NUL, lone surrogates, huge, SQL-ish, numeric-looking. */
const nasty = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  'null',
  '%zz',
  '%00',
  '\ud800',
  '💥',
  'x'.repeat(5000),
  "' or 1=1 --",
  '-1',
  '1e309',
  'true',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '+15555550123',
  'donor',
  'crisis',
);
export const weirdString = fc.oneof(
  { arbitrary: nasty, weight: 2 },
  { arbitrary: fc.string({ maxLength: 40, unit: 'binary' }), weight: 2 },
);

/** A value anywhere: the type-confusion alternatives every field is sometimes replaced with. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  weirdString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
);

export function valueFor(schema: Schema | undefined, doc: OpenApiDoc, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return anyValue;
  if (schema.$ref) {
    const name = String(schema.$ref).split('/').pop()!;
    return valueFor(doc.components?.schemas?.[name], doc, depth + 1);
  }
  const own = ((): fc.Arbitrary<unknown> => {
    if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
    if (schema.oneOf) return fc.oneof(...(schema.oneOf as Schema[]).map((s) => valueFor(s, doc, depth + 1)));
    const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
    switch (type) {
      case 'object': {
        const props = Object.entries((schema.properties ?? {}) as Record<string, Schema>);
        if (props.length === 0) return fc.dictionary(weirdString, anyValue, { maxKeys: 3 });
        return fc.record(Object.fromEntries(props.map(([k, s]) => [k, valueFor(s, doc, depth + 1)])), { requiredKeys: [] });
      }
      case 'array':
        return fc.array(valueFor(schema.items as Schema, doc, depth + 1), { maxLength: 3 });
      case 'integer':
        return fc.oneof(fc.integer({ min: -5, max: 100 }), fc.integer());
      case 'number':
        return fc.double();
      case 'boolean':
        return fc.boolean();
      case 'string':
        if (schema.format === 'uuid') return fc.uuid();
        if (schema.format === 'date-time' || schema.format === 'date') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
        return weirdString;
      default:
        return anyValue;
    }
  })();
  // Mostly what the schema says, sometimes anything at all.
  return fc.oneof({ arbitrary: own, weight: 4 }, { arbitrary: anyValue, weight: 1 });
}

/** A path segment: a real id when we know some, a fresh UUID, or bytes that are not a valid percent-encoding. */
function pathValue(known: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.uuid(),
    ...(known.length ? [fc.constantFrom(...known)] : []),
    fc.constantFrom('%zz', '%', 'a%2', '%E0%A4%A', '%00', 'abc%00def', '%C0%AF', '..%2F..'),
    weirdString.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '')) || 'x'),
  );
}

type BodyKind = 'json' | 'form';
/** How a body is delivered: as the schema says, or mangled in transport. */
const deliveries = [
  'plain',
  'plain',
  'plain',
  'charset',
  'encoding',
  'fake-gzip',
  'gzip',
  'garbage',
  'wrong-type',
  'empty',
  'json-null',
] as const;
type Delivery = (typeof deliveries)[number];

function encodeBody(kind: BodyKind, value: unknown, delivery: Delivery, junk: string) {
  const headers: Record<string, string> = {};
  let form: Record<string, string> | undefined;
  let text: string;
  if (kind === 'form') {
    form = Object.fromEntries(
      Object.entries((value && typeof value === 'object' ? value : {}) as Record<string, unknown>).map(([k, v]) => [
        k,
        typeof v === 'string' ? v : (JSON.stringify(v) ?? ''),
      ]),
    );
    text = new URLSearchParams(form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else {
    text = JSON.stringify(value) ?? 'null';
    headers['content-type'] = 'application/json';
  }
  let body = Buffer.from(text);
  switch (delivery) {
    case 'charset':
      headers['content-type'] += `; charset=${junk.replace(/[^a-z0-9-]/gi, '') || 'klingon'}`;
      break;
    case 'encoding':
      headers['content-encoding'] = 'klingon';
      break;
    case 'fake-gzip':
      headers['content-encoding'] = 'gzip';
      break;
    case 'gzip':
      headers['content-encoding'] = 'gzip';
      body = gzipSync(body);
      break;
    case 'garbage':
      body = Buffer.from(`{"${junk}`);
      form = undefined;
      break;
    case 'wrong-type':
      // Signed but not form-encoded (or a form where JSON is expected).
      headers['content-type'] = kind === 'form' ? 'application/json' : 'application/x-www-form-urlencoded';
      body = kind === 'form' ? Buffer.from(JSON.stringify(value) ?? 'null') : body;
      form = undefined;
      break;
    case 'empty':
      body = Buffer.alloc(0);
      form = kind === 'form' ? {} : undefined;
      break;
    case 'json-null':
      body = Buffer.from(kind === 'form' ? 'a=%zz&b=%00' : 'null');
      form = kind === 'form' ? undefined : form;
      break;
    default:
      break;
  }
  return { headers, body, form: delivery === 'charset' || delivery === 'encoding' || delivery === 'fake-gzip' ? undefined : form };
}

/** Every operation of the document as an arbitrary request. `known` offers real ids for path parameters. */
export function requestsFrom(doc: OpenApiDoc, known: string[] = []): fc.Arbitrary<FuzzRequest> {
  const ops: fc.Arbitrary<FuzzRequest>[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const params = op.parameters ?? [];
      const pathParams = params.filter((p) => p.in === 'path');
      const queryParams = params.filter((p) => p.in === 'query');
      const content = op.requestBody?.content ?? {};
      const kinds: BodyKind[] = [];
      if (content['application/json']) kinds.push('json');
      if (content['application/x-www-form-urlencoded']) kinds.push('form');
      const bodySchema = (k: BodyKind) =>
        content[k === 'json' ? 'application/json' : 'application/x-www-form-urlencoded']?.schema ?? { type: 'object' };
      const body =
        kinds.length === 0
          ? fc.constant(undefined)
          : fc
              .constantFrom(...kinds)
              .chain((k) => fc.tuple(fc.constant(k), valueFor(bodySchema(k), doc), fc.constantFrom(...deliveries), weirdString))
              .map(([k, v, d, junk]) => encodeBody(k, v, d, junk));
      ops.push(
        fc
          .record({
            path: fc.tuple(...pathParams.map(() => pathValue(known))),
            query: fc.tuple(...queryParams.map((p) => fc.option(valueFor(p.schema, doc), { nil: undefined }))),
            body,
            authenticated: fc.boolean().map((b) => b || !op.security),
            brokenQuery: fc.constantFrom('', '', '', '&%zz=1', '&x=%00', '&a[b]=1'),
          })
          .map(({ path, query, body: b, authenticated, brokenQuery }) => {
            let url = template;
            pathParams.forEach((p, i) => (url = url.replace(`{${p.name}}`, path[i])));
            const qs = new URLSearchParams();
            queryParams.forEach((p, i) => {
              const v = query[i];
              if (v !== undefined) qs.set(p.name, typeof v === 'string' ? v : JSON.stringify(v));
            });
            const search = qs.toString() + brokenQuery;
            return {
              method: method.toUpperCase(),
              template,
              url: search ? `${url}?${search.replace(/^&/, '')}` : url,
              headers: b?.headers ?? {},
              body: b?.body,
              form: b?.form,
              authenticated: op.security ? authenticated : false,
            };
          }),
      );
    }
  }
  return fc.oneof(...ops);
}
