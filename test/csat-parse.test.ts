import { describe, expect, it } from 'vitest';
import { parseCsatAnswer } from '../src/core/csat/parse-answer.js';

describe('reading a survey answer', () => {
  it.each([
    ['5', 5],
    [' 1 ', 1],
    ['3/5', 3],
    ['4 stars', 4],
    ['2 estrellas', 2],
    ['⭐⭐⭐', 3],
    ['😍', 5],
    ['😡', 1],
    ['😐', 3],
    ['Great!', 5],
    ['good', 4],
    ['bad', 2],
    ['Excelente', 5],
    ['muy malo', 1],
    ['¡Muy bien!', 5],
    ['regular', 3],
  ])('%s is %i', (text, score) => expect(parseCsatAnswer(text)).toBe(score));

  it.each(['6', '0', '10', '1 more question', 'bad news about my donation', 'hello', '', '12', 'good morning', '5 dollars'])(
    '%j is not an answer',
    (text) => expect(parseCsatAnswer(text)).toBeNull(),
  );
});
