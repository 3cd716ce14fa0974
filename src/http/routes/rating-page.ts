import express, { Router, type Response } from 'express';
import { rateByLink, ratingPageState, type RatingPageState } from '../../core/csat/rate-by-link.js';
import { MAX_COMMENT_LENGTH, readScore } from '../../core/csat/survey-policy.js';
import type { Deps } from '../../core/ports.js';
import type { Language } from '../../db/schema.js';
import { addOpenApiPaths } from '../openapi.js';

/** The page's words, per language we serve contacts in. */
const WORDS = {
  en: {
    title: 'How did we do?',
    question: 'How satisfied are you with how we handled request #{number}?',
    scores: ['1 · Very poor', '2 · Poor', '3 · OK', '4 · Good', '5 · Excellent'],
    comment: 'Anything you want to tell us? (optional)',
    send: 'Send',
    pick: 'Please pick a score from 1 to 5.',
    thanks: 'Thank you! You rated us {score} out of 5.',
    answered: 'This survey has been answered already. Thank you!',
    expired: 'This link has expired.',
    invalid: 'This link is not valid. Please use the link from our email as it is.',
  },
  es: {
    title: '¿Qué tal lo hicimos?',
    question: '¿Qué tan satisfecho está con la atención que recibió en la solicitud #{number}?',
    scores: ['1 · Muy mal', '2 · Mal', '3 · Regular', '4 · Bien', '5 · Excelente'],
    comment: '¿Algo que quiera contarnos? (opcional)',
    send: 'Enviar',
    pick: 'Elija una nota del 1 al 5.',
    thanks: '¡Gracias! Nos ha dado un {score} de 5.',
    answered: 'Ya respondió esta encuesta. ¡Gracias!',
    expired: 'Este enlace ha caducado.',
    invalid: 'Este enlace no es válido. Use el enlace de nuestro correo tal como está.',
  },
} satisfies Record<Language, unknown>;

/** What each state answers: a link that cannot be used says why, with a status a test (or a proxy) can read. */
const STATUS: Record<RatingPageState['state'], number> = {
  open: 200,
  thanks: 200,
  answered: 409,
  expired: 410,
  forged: 403,
  malformed: 400,
  unknown: 404,
};

const CSS = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
main{max-width:32rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 3px #0002}
h1{font-size:1.4rem;margin-top:0}fieldset{border:0;padding:0;margin:0 0 1rem}legend{margin-bottom:.5rem}
label.score{display:block;padding:.4rem .6rem;margin:.25rem 0;border:1px solid #c7ccd6;border-radius:6px;cursor:pointer}
textarea{width:100%;box-sizing:border-box;min-height:6rem;font:inherit}
button{margin-top:1rem;font:inherit;padding:.5rem 1.5rem;border:0;border-radius:6px;background:#1f5fbf;color:#fff;cursor:pointer}
.error{color:#a11;font-weight:600}`;

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function render(page: RatingPageState, opts: { action: string; preselect?: number | null; error?: boolean } = { action: '' }): string {
  const lang: Language = 'language' in page && page.language ? page.language : 'en';
  const w = WORDS[lang];
  const fill = (s: string) =>
    s.replace('{number}', 'number' in page ? String(page.number) : '').replace('{score}', 'score' in page ? String(page.score ?? '') : '');
  let body: string;
  if (page.state === 'open') {
    const choices = w.scores
      .map(
        (label, i) =>
          `<label class="score"><input type="radio" name="score" value="${i + 1}" required${opts.preselect === i + 1 ? ' checked' : ''}> ${escapeHtml(label)}</label>`,
      )
      .join('\n');
    body = `<form method="post" action="${escapeHtml(opts.action)}">
${opts.error ? `<p class="error" role="alert">${escapeHtml(w.pick)}</p>` : ''}
<fieldset><legend>${escapeHtml(fill(w.question))}</legend>
${choices}
</fieldset>
<label for="comment">${escapeHtml(w.comment)}</label>
<textarea id="comment" name="comment" maxlength="${MAX_COMMENT_LENGTH}"></textarea>
<button type="submit">${escapeHtml(w.send)}</button>
</form>`;
  } else {
    const text = {
      thanks: w.thanks,
      answered: w.answered,
      expired: w.expired,
      forged: w.invalid,
      malformed: w.invalid,
      unknown: w.invalid,
    }[page.state];
    body = `<p role="status">${escapeHtml(fill(text))}</p>`;
  }
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(w.title)}</title><link rel="stylesheet" href="/csat/rating.css"></head>
<body><main><h1>${escapeHtml(w.title)}</h1>
${body}
</main></body></html>`;
}

function send(res: Response, page: RatingPageState, html: string, status = STATUS[page.state]) {
  // The page holds the link's permission: never cached by a shared proxy, never sent on as a referrer.
  res.status(status).set('Cache-Control', 'no-store').type('html').send(html);
}

/**
 * The public rating page an email survey links to (core/csat/rating-link.ts): no sign-in, the
 * signed link is the permission. GET only shows the form (mail scanners open links; they must
 * not answer for the contact), POST records the answer, once.
 */
export function ratingPageRouter(deps: Deps): Router {
  const r = Router();
  r.get('/csat/rating.css', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=86400').type('css').send(CSS);
  });
  r.get('/csat/:token', async (req, res) => {
    const page = await ratingPageState(deps, req.params.token);
    send(res, page, render(page, { action: req.originalUrl.split('?')[0], preselect: readScore(req.query.score) }));
  });
  r.post('/csat/:token', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const form = (req.body ?? {}) as Record<string, unknown>;
    const score = readScore(form.score);
    const action = req.originalUrl.split('?')[0];
    if (score === null) {
      const page = await ratingPageState(deps, req.params.token);
      // A form without a score: the form again, saying what is missing (when the link is still good).
      return page.state === 'open'
        ? send(res, page, render(page, { action, error: true }), 400)
        : send(res, page, render(page, { action }));
    }
    const comment = typeof form.comment === 'string' ? form.comment : null;
    const page = await rateByLink(deps, req.params.token, { score, comment });
    send(res, page, render(page, { action }));
  });
  return r;
}

const html = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' } } } });
const states = {
  '400': html('malformed link, or (POST) no score 1–5: the form again'),
  '403': html('forged link'),
  '404': html('no email survey for this link'),
  '409': html('answered already: a link works once'),
  '410': html('expired link'),
};
addOpenApiPaths({
  '/csat/{token}': {
    get: {
      summary:
        'Public rating page of an email survey (extension; no sign-in: the signed link is the permission). `?score=1..5` preselects a score; nothing is recorded by opening it',
      tags: ['reports'],
      parameters: [
        { name: 'token', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'score', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 5 } },
      ],
      responses: { '200': html('the form: 1–5 and a comment'), ...states },
    },
    post: {
      summary: 'Answers the survey, once (extension)',
      tags: ['reports'],
      parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }],
      requestBody: {
        required: true,
        content: {
          'application/x-www-form-urlencoded': {
            schema: {
              type: 'object',
              required: ['score'],
              properties: {
                score: { type: 'integer', minimum: 1, maximum: 5 },
                comment: { type: 'string', maxLength: MAX_COMMENT_LENGTH },
              },
            },
          },
        },
      },
      responses: { '200': html('thank-you page'), ...states },
    },
  },
});
