import { detectRisk, type CompiledRules, type RiskLevel } from '../../src/core/crisis/matcher.js';

/** One sentence of a test corpus and the level a person would give it (null: not a crisis). */
export type Labelled = [RiskLevel | null, string];

export type Scores = {
  sentences: number;
  positives: number;
  negatives: number;
  high: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  /** Of the texts flagged, how many are crises. */
  precision: number;
  /** Of the crises, how many were flagged (any level). */
  recall: number;
  /** Of the `high` texts, how many were flagged at all (so they reach the crisis queue). */
  highRecall: number;
  /** Of the `high` texts, how many were flagged `high`. */
  highAsHigh: number;
  misses: string[];
  falseAlarms: string[];
  levelMismatches: string[];
};

export function score(corpus: Labelled[], rules: CompiledRules): Scores {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let highFlagged = 0;
  let highAsHigh = 0;
  const misses: string[] = [];
  const falseAlarms: string[] = [];
  const levelMismatches: string[] = [];
  for (const [label, text] of corpus) {
    const risk = detectRisk(text, rules);
    if (label && risk) tp++;
    if (!label && risk) {
      fp++;
      falseAlarms.push(`${text}  → ${risk.level} ${risk.reasons.join('; ')}`);
    }
    if (label && !risk) {
      fn++;
      misses.push(`[${label}] ${text}`);
    }
    if (label === 'high' && risk) highFlagged++;
    if (label === 'high' && risk?.level === 'high') highAsHigh++;
    if (label && risk && label !== risk.level) levelMismatches.push(`[${label}→${risk.level}] ${text}  (${risk.reasons.join('; ')})`);
  }
  const positives = corpus.filter(([l]) => l).length;
  const high = corpus.filter(([l]) => l === 'high').length;
  return {
    sentences: corpus.length,
    positives,
    negatives: corpus.length - positives,
    high,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: positives === 0 ? 1 : tp / positives,
    highRecall: high === 0 ? 1 : highFlagged / high,
    highAsHigh: high === 0 ? 1 : highAsHigh / high,
    misses,
    falseAlarms,
    levelMismatches,
  };
}
