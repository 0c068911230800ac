import { describe, expect, it } from 'vitest';
import { makeChalk } from '../src/io/color.js';
import { truncateTo, visibleWidth, wrap } from '../src/render/fit.js';

const c = makeChalk(true);

describe('fitting text to a terminal', () => {
  it('measures without escape sequences and cuts with an ellipsis, colours still closed', () => {
    expect(visibleWidth(c.red('abc'))).toBe(3);
    const cut = truncateTo(`${c.bold('7A84B875')}  ${c.cyan('In Progress')}`, 12);
    expect(visibleWidth(cut)).toBe(12);
    expect(cut.endsWith('\u001b[39m…')).toBe(true);
  });

  it('wraps at word boundaries under an indent, keeps leading spaces, breaks words longer than a line', () => {
    expect(wrap('  Started    Nov 28, 2026, 06:47:42 PM UTC', 35, 13)).toBe(
      '  Started    Nov 28, 2026, 06:47:42\n             PM UTC',
    );
    expect(wrap('x 0123456789ABCDEF', 10, 2)).toBe('x\n  01234567\n  89ABCDEF');
    for (const line of wrap('a b c d e f g h i j k l m n o p', 9, 2).split('\n')) {
      expect(line.length).toBeLessThanOrEqual(9);
    }
  });
});
