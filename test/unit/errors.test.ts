/** Errors across bundles: each bundle has its own UserError class, so instanceof alone would lose the fix. */
import { expect, test } from 'vitest';
import { ownUserError, UserError } from '../../src/errors.js';

test("ownUserError: another bundle's UserError becomes this one's, with its message, fix and exit code; anything else is left as it is", () => {
  // What a UserError from another bundle looks like here: same shape, another class.
  class ForeignUserError extends Error {
    readonly exitCode = 1 as const;
    readonly fix = 'Run `mcpwire auth login demo`.';
  }
  const foreign = new ForeignUserError('The keychain is locked.');
  expect(foreign instanceof UserError).toBe(false);
  const own = ownUserError(foreign) as UserError;
  expect(own).toBeInstanceOf(UserError);
  expect([own.message, own.fix, own.exitCode, own.cause]).toEqual(['The keychain is locked.', 'Run `mcpwire auth login demo`.', 1, foreign]);

  const mine = new UserError('mine', { fix: 'x' });
  expect(ownUserError(mine)).toBe(mine);
  const plain = new Error('boom');
  expect(ownUserError(plain)).toBe(plain); // no fix, no exit code: not a UserError
  const odd = Object.assign(new Error('odd'), { exitCode: 7, fix: 'y' });
  expect(ownUserError(odd)).toBe(odd); // not one of the contract's exit codes
  expect(ownUserError('text')).toBe('text');
});
