import { describe, expect, it } from 'vitest';
import { incidentStems, matchesIncident, stem } from '../src/core/incidents/words.js';

describe('incident words', () => {
  it('keeps a title’s significant words as stems, without stopwords or repeats', () => {
    expect(incidentStems('The donation page is down')).toEqual(['donat', 'page', 'down']);
    expect(incidentStems('Oficina de Phoenix cerrada hoy')).toEqual(['ofici', 'phoen', 'cerra']);
    expect(incidentStems('a an of')).toEqual([]);
    expect(stem('donations')).toBe(stem('donate'));
    expect(stem('pages')).toBe('page');
  });

  it('matches texts naming two of the words, loosely (case, accents, plurals, endings)', () => {
    const stems = incidentStems('Donation page down');
    expect(matchesIncident(stems, "I can't DONATE, your page shows an error")).toBe(true);
    expect(matchesIncident(stems, 'The donations pages are broken')).toBe(true);
    expect(matchesIncident(stems, 'I want to make a donation by check')).toBe(false);
    expect(matchesIncident(stems, 'When is the next phone bank?')).toBe(false);
    const es = incidentStems('Oficina cerrada');
    expect(matchesIncident(es, '¿La OFICINA está cerrada hoy?')).toBe(true);
    expect(matchesIncident(es, 'Dónde está la oficina')).toBe(false);
  });

  it('matches a one-word title on that word, and an empty one never', () => {
    expect(matchesIncident(incidentStems('Outage'), 'is there an outage?')).toBe(true);
    expect(matchesIncident(incidentStems('Outage'), 'all good')).toBe(false);
    expect(matchesIncident([], 'anything')).toBe(false);
  });
});
