import { describe, expect, it } from 'vitest';
import { builtInRules } from '../src/core/crisis/built-in-rules.js';
import { detectRisk } from '../src/core/crisis/matcher.js';
import { tokenize } from '../src/core/crisis/normalise.js';

describe('words that name a property of every JavaScript object', () => {
  it('are words like any other: "constructor" neither fails the check nor hides the crisis beside it', () => {
    expect(tokenize('I am a constructor')).toEqual(['i', 'am', 'a', 'constructor']);
    expect(tokenize('constructor self, tostring valueof')).toEqual(['constructor', 'self', ',', 'tostring', 'valueof']);
    // The check threw on this text, and the message was stored unflagged.
    expect(detectRisk("I'm a constructor and I want to kill myself", builtInRules())).toMatchObject({
      level: 'high',
      categories: ['self-harm'],
    });
  });
});
