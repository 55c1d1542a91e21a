import { UI_TOKEN_ARG_PREFIX } from '../contract/ui-api';

/**
 * The pure, testable half of the shells' security: CSP and headers for the served UI, the
 * BrowserWindow options, and the navigation allow-list. Nothing here imports `electron`, so unit
 * tests and the Node server load it; electron-main.ts checks at compile time that every option
 * named here is a real BrowserWindow / webPreferences option.
 */

/**
 * Strict CSP for the UI document: everything from our own origin, no inline or eval'd script,
 * no remote origins, no plugins, no framing. Styles are 'self' only: the built CSS is a file and
 * React sets dynamic styles through CSSOM (which CSP does not restrict).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "frame-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers for the UI's HTML document. */
export const HTML_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=(), bluetooth=()',
  'Cache-Control': 'no-store',
};

/** Hosts whose https pages the Electron shell may open in the system browser (docs, source). */
export const EXTERNAL_HOST_ALLOWLIST: readonly string[] = [
  'mlflow.org',
  'www.mlflow.org',
  'github.com',
  'docs.python.org',
];

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True for https URLs on an allow-listed host, without embedded credentials or odd ports. */
export function isExternalUrlAllowed(url: string, allowlist: readonly string[] = EXTERNAL_HOST_ALLOWLIST): boolean {
  const u = parse(url);
  if (!u || u.protocol !== 'https:') return false;
  if (u.username || u.password || (u.port !== '' && u.port !== '443')) return false;
  return allowlist.includes(u.hostname.toLowerCase());
}

/** True when `url` is on the app's own origin (the local server the window was loaded from). */
export function isAppUrl(url: string, appOrigin: string): boolean {
  const u = parse(url);
  const app = parse(appOrigin);
  return !!u && !!app && u.protocol === 'http:' && u.origin === app.origin;
}

export type NavigationDecision = 'allow' | 'open-external' | 'deny';

/**
 * What the window does when its page tries to navigate, redirect or open a window to `url`:
 * stay on the app origin, hand allow-listed docs links to the system browser, refuse the rest.
 */
export function navigationDecision(url: string, appOrigin: string): NavigationDecision {
  if (isAppUrl(url, appOrigin)) return 'allow';
  if (isExternalUrlAllowed(url)) return 'open-external';
  return 'deny';
}

export interface WindowOptionsInput {
  preloadPath: string;
  token: string;
  /** Background painted before the first frame (matches the OS theme: no white flash). */
  dark: boolean;
}

/** The subset of Electron's BrowserWindowConstructorOptions the main window sets. */
export interface MainWindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  show: boolean;
  title: string;
  backgroundColor: string;
  autoHideMenuBar: boolean;
  webPreferences: {
    preload: string;
    contextIsolation: boolean;
    sandbox: boolean;
    nodeIntegration: boolean;
    nodeIntegrationInWorker: boolean;
    nodeIntegrationInSubFrames: boolean;
    webSecurity: boolean;
    allowRunningInsecureContent: boolean;
    webviewTag: boolean;
    experimentalFeatures: boolean;
    navigateOnDragDrop: boolean;
    safeDialogs: boolean;
    spellcheck: boolean;
    additionalArguments: string[];
  };
}

/** The main window: isolated, sandboxed, no Node, web security on, token passed to the preload. */
export function mainWindowOptions(input: WindowOptionsInput): MainWindowOptions {
  return {
    width: 1360,
    height: 860,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Runlens',
    backgroundColor: input.dark ? '#16181d' : '#ffffff',
    autoHideMenuBar: true,
    webPreferences: {
      preload: input.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      additionalArguments: [UI_TOKEN_ARG_PREFIX + input.token],
    },
  };
}
