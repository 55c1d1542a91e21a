import { useSyncExternalStore } from 'react';

/** Light/dark: follows the OS unless the user picked one (remembered in this browser profile). */
export type ThemePreference = 'system' | 'light' | 'dark';

const KEY = 'runlens.theme';
const listeners = new Set<() => void>();
const media = window.matchMedia('(prefers-color-scheme: dark)');

function read(): ThemePreference {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

let preference: ThemePreference = read();

/** The theme in effect now. */
export const effectiveTheme = (): 'light' | 'dark' =>
  preference === 'system' ? (media.matches ? 'dark' : 'light') : preference;

function apply(): void {
  const root = document.documentElement;
  if (preference === 'system') delete root.dataset.theme;
  else root.dataset.theme = preference;
  root.style.colorScheme = effectiveTheme();
  for (const l of listeners) l();
}

export function initTheme(): void {
  apply();
  media.addEventListener('change', apply);
}

export function setThemePreference(next: ThemePreference): void {
  preference = next;
  try {
    if (next === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, next);
  } catch {
    // not remembered, still applied
  }
  apply();
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useTheme(): { preference: ThemePreference; effective: 'light' | 'dark' } {
  const pref = useSyncExternalStore(subscribe, () => preference);
  const effective = useSyncExternalStore(subscribe, effectiveTheme);
  return { preference: pref, effective };
}
