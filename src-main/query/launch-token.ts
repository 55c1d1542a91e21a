import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh per-launch secret for the UI API (URL-safe, 256 bits). */
export function createLaunchToken(): string {
  return randomBytes(32).toString('base64url');
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time comparison (hashing first makes lengths equal and hides the expected length). */
export function tokenMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length === 0 || expected.length === 0) return false;
  return timingSafeEqual(digest(expected), digest(given));
}
