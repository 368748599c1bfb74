/**
 * law27 item 5: a text the FG records as sent (the Art. 34 letter, the reasons for the delay given to
 * the AP) that still holds a template's placeholders (`[naam]`, `XXX`, `TODO`, `<...>`) was recorded
 * without a word, while an elision "…" was warned about (fg28 item 6). notice.ts placeholdersIn names
 * each, by the heading it stands under.
 */
import { describe, expect, it } from 'vitest';
import { placeholdersIn } from '../../handlers/core/notice.js';

describe('placeholdersIn', () => {
  it('names each placeholder once, with its heading', () => {
    const letter = [
      '# Datalek bij Voorbeeld',
      '',
      '## Wat is er gebeurd?',
      '',
      'Beste [naam], op <datum> is XXX misgegaan.',
      '',
      '## Vragen?',
      '',
      'Bel TODO of {{telefoon}}; zie ook <...> en [naam].',
    ].join('\n');
    expect(placeholdersIn(letter)).toEqual([
      '"[naam]" under "Wat is er gebeurd?"',
      '"<datum>" under "Wat is er gebeurd?"',
      '"XXX" under "Wat is er gebeurd?"',
      '"TODO" under "Vragen?"',
      '"{{telefoon}}" under "Vragen?"',
      '"<...>" under "Vragen?"',
      '"[naam]" under "Vragen?"',
    ]);
  });

  it('reads the letter as printed (Markdown escapes) and names a placeholder in a line without a heading', () => {
    expect(placeholdersIn('Beste \\[naam\\], uw gegevens zijn gelekt.')).toEqual(['"[naam]"']);
  });

  it('leaves a finished text alone: links, addresses, checkboxes, elisions and ordinary words', () => {
    const text = [
      'Zie [de website](https://voorbeeld.nl) of mail <fg@voorbeeld.nl>, <https://voorbeeld.nl/datalek>.',
      '- [ ] nagaan; - [x] gedaan; weggelaten: [...] en […]',
      'Postcode 1234 XX; het TODO-lijstje is leeg; Xerxes; TODOS; 3 XXL-truien.',
    ].join('\n');
    expect(placeholdersIn(text)).toEqual([]);
  });
});
