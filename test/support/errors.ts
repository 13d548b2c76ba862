// The PapertalkError a promise rejects with (failing the test when it resolves or throws anything else).
import { expect } from 'vitest';
import { PapertalkError } from '../../src/errors.js';

export async function rejectionOf(promise: Promise<unknown>): Promise<PapertalkError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PapertalkError);
  return error as PapertalkError;
}
