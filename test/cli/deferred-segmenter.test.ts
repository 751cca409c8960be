import { describe, expect, it } from 'vitest';
import { withDeferredSegmenter } from '../../src/cli/deferred-segmenter.js';

const words = (s: Intl.Segmenter, text: string) => [...s.segment(text)].map((x) => x.segment);

describe('withDeferredSegmenter', () => {
  it('hands out segmenters that segment as the real one does, and puts the real constructor back', async () => {
    const Real = Intl.Segmenter;
    const text = 'e\u0301👍🏽古a';
    const made = await withDeferredSegmenter(async () => {
      expect(Intl.Segmenter).not.toBe(Real);
      return [new Intl.Segmenter(), new Intl.Segmenter('en', { granularity: 'word' })];
    });
    expect(Intl.Segmenter).toBe(Real);
    expect(made[0]).not.toBeInstanceOf(Real);
    expect(words(made[0]!, text)).toEqual(words(new Real(), text));
    expect(words(made[0]!, text)).toEqual(['e\u0301', '👍🏽', '古', 'a']);
    expect(words(made[1]!, 'hello big world')).toEqual(words(new Real('en', { granularity: 'word' }), 'hello big world'));
    expect(made[1]!.resolvedOptions().granularity).toBe('word');
  });

  it('puts the real constructor back when loading fails', async () => {
    const Real = Intl.Segmenter;
    await expect(withDeferredSegmenter(() => Promise.reject(new Error('no module')))).rejects.toThrow('no module');
    expect(Intl.Segmenter).toBe(Real);
  });

  it('yargs loaded this way still measures wide characters in its help', async () => {
    const { topLevelCli } = await import('../../src/cli/main.js');
    const Real = Intl.Segmenter;
    const cli = await topLevelCli(['x'], 60);
    expect(Intl.Segmenter).toBe(Real);
    cli.command('x', 'run', (y) => y.option('name', { type: 'string', describe: '古古古古古古古古古古古古古古古古古古古古古古古古古古古古古古' }));
    const help = await cli.getHelp();
    // 30 wide characters (60 columns) cannot share a 60-column line with the option name: wrapped
    const line = help.split('\n').find((l) => l.includes('--name'))!;
    expect(line.length).toBeLessThan(50);
  });
});
