import { hash, verify } from '@node-rs/argon2';

/**
 * Argon2id with the OWASP minimum (19 MiB, 2 passes, 1 lane): ~20–30 ms per hash here, slow
 * enough to make offline guessing expensive, fast enough for a login form.
 */
const ARGON2_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    // A malformed stored hash must read as "wrong password", never as a server error that
    // would tell an attacker something about the account.
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same time as a real verification. Called when the email is unknown, so that the
 * response time does not reveal which emails have accounts.
 */
export async function verifyPasswordAgainstNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword('tagward-timing-equaliser');
  await verifyPassword(await dummyHash, password);
  return false;
}
