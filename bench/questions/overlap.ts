// The copy rule of the question set: how many consecutive words a question shares with a
// paper's title or abstract, compared the way the rule is stated (lowercased, punctuation gone).
import { normalizeTitle } from '../../src/text/titles.js';

/** A question may share at most 3 consecutive words with its target's title... */
export const MAX_TITLE_RUN = 3;
/** ...and at most 4 with its abstract. */
export const MAX_ABSTRACT_RUN = 4;

/** Words of a text: NFKC, lowercase, every run of non-letters/digits a separator ("pre-training" -> "pre training"). */
export function words(text: string): string[] {
  return normalizeTitle(text).split(' ').filter(Boolean);
}

/** The longest run of consecutive words that `a` and `b` share, as a list of words ([] when none). */
export function longestSharedRun(a: string, b: string): string[] {
  const x = words(a);
  const y = words(b);
  let best = 0;
  let end = 0;
  // Longest common substring over words, one table row at a time.
  let previous = new Array<number>(y.length + 1).fill(0);
  for (let i = 1; i <= x.length; i++) {
    const row = new Array<number>(y.length + 1).fill(0);
    for (let j = 1; j <= y.length; j++) {
      if (x[i - 1] !== y[j - 1]) continue;
      const run = previous[j - 1]! + 1;
      row[j] = run;
      if (run > best) {
        best = run;
        end = i;
      }
    }
    previous = row;
  }
  return x.slice(end - best, end);
}

/** Why a question breaks the copy rule against its target paper, or [] when it does not. */
export function copyViolations(question: string, paper: { title: string; abstract: string }): string[] {
  const found: string[] = [];
  const inTitle = longestSharedRun(question, paper.title);
  const inAbstract = longestSharedRun(question, paper.abstract);
  if (inTitle.length > MAX_TITLE_RUN) found.push(`shares ${inTitle.length} words with the title: "${inTitle.join(' ')}"`);
  if (inAbstract.length > MAX_ABSTRACT_RUN) found.push(`shares ${inAbstract.length} words with the abstract: "${inAbstract.join(' ')}"`);
  return found;
}
