import { describe, expect, it } from 'vitest';
import { invocation } from '../src/node/system.js';

describe('how the next command is spelled', () => {
  it('npx in the checkout or where the package is a dependency, the bare name for a global install', () => {
    expect(invocation('/home/me/export-status/bin/export-status.js', '/home/me/export-status')).toBe(
      'npx export-status',
    );
    expect(invocation('/home/me/app/node_modules/export-status/bin/export-status.js', '/home/me/app')).toBe(
      'npx export-status',
    );
    expect(invocation('/usr/local/lib/node_modules/export-status/bin/export-status.js', '/home/me/app')).toBe(
      'export-status',
    );
  });
});
