import { describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  HTML_SECURITY_HEADERS,
  isAppUrl,
  isExternalUrlAllowed,
  mainWindowOptions,
  navigationDecision,
} from '../src-main/shells/security';
import { injectToken } from '../src-main/shells/renderer-routes';
import { createLaunchToken, tokenMatches } from '../src-main/query/launch-token';
import { tokenFromArgv } from '../src-preload/token';
import { UI_TOKEN_ARG_PREFIX } from '../src-main/contract/ui-api';

const APP = 'http://127.0.0.1:5000';

describe('Content-Security-Policy', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values] as const;
    }),
  );

  it('allows scripts only from the app itself: no inline, no eval, no remote origins', () => {
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|wasm-unsafe|https?:|\*/);
  });

  it('locks down plugins, framing, base URI and form targets', () => {
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
  });

  it('is sent with the other document headers', () => {
    expect(HTML_SECURITY_HEADERS['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(HTML_SECURITY_HEADERS['X-Content-Type-Options']).toBe('nosniff');
    expect(HTML_SECURITY_HEADERS['X-Frame-Options']).toBe('DENY');
    expect(HTML_SECURITY_HEADERS['Referrer-Policy']).toBe('no-referrer');
  });
});

describe('main window options', () => {
  const opts = mainWindowOptions({ preloadPath: '/app/out/preload/index.js', token: 'tok', dark: true });
  const web = opts.webPreferences!;

  it('isolates and sandboxes the renderer with no Node access', () => {
    expect(web.contextIsolation).toBe(true);
    expect(web.sandbox).toBe(true);
    expect(web.nodeIntegration).toBe(false);
    expect(web.nodeIntegrationInWorker).toBe(false);
    expect(web.nodeIntegrationInSubFrames).toBe(false);
    expect(web.webSecurity).toBe(true);
    expect(web.allowRunningInsecureContent).toBe(false);
    expect(web.webviewTag).toBe(false);
    expect(web.experimentalFeatures).toBe(false);
  });

  it('passes the token to the preload only through additionalArguments', () => {
    expect(web.preload).toBe('/app/out/preload/index.js');
    expect(web.additionalArguments).toEqual([`${UI_TOKEN_ARG_PREFIX}tok`]);
    expect(tokenFromArgv(['/electron', '--type=renderer', ...web.additionalArguments!])).toBe('tok');
    expect(tokenFromArgv(['/electron'])).toBe('');
  });

  it('paints the OS theme background before the first frame', () => {
    expect(opts.backgroundColor).not.toBe(
      mainWindowOptions({ preloadPath: 'p', token: 't', dark: false }).backgroundColor,
    );
    expect(opts.show).toBe(false);
  });
});

describe('navigation allow-list', () => {
  it('keeps navigation on the app origin', () => {
    expect(navigationDecision(`${APP}/`, APP)).toBe('allow');
    expect(navigationDecision(`${APP}/#/runs?x=1`, APP)).toBe('allow');
    expect(isAppUrl('http://127.0.0.1:5001/', APP)).toBe(false);
    expect(isAppUrl('http://localhost:5000/', APP)).toBe(false);
    expect(isAppUrl('https://127.0.0.1:5000/', APP)).toBe(false);
  });

  it('sends allow-listed https docs to the system browser', () => {
    expect(navigationDecision('https://mlflow.org/docs/latest/index.html', APP)).toBe('open-external');
    expect(navigationDecision('https://github.com/mlflow/mlflow/issues/1517', APP)).toBe('open-external');
  });

  it('refuses everything else', () => {
    const refused = [
      'http://mlflow.org/',
      'https://mlflow.org.evil.com/',
      'https://evilgithub.com/',
      'https://user:pass@github.com/',
      'https://github.com:8443/',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'data:text/html,<script>1</script>',
      'mailto:a@b.c',
      'not a url',
      'https://example.com/',
    ];
    for (const url of refused) {
      expect(navigationDecision(url, APP), url).toBe('deny');
      expect(isExternalUrlAllowed(url), url).toBe(false);
    }
  });
});

describe('launch token', () => {
  it('is long, random and URL-safe', () => {
    const a = createLaunchToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(createLaunchToken()).not.toBe(a);
  });

  it('matches only the exact token', () => {
    const t = createLaunchToken();
    expect(tokenMatches(t, t)).toBe(true);
    for (const given of [undefined, null, '', t + 'x', t.slice(1), t.toUpperCase(), ['x'], 42]) {
      expect(tokenMatches(t, given)).toBe(false);
    }
    expect(tokenMatches('', '')).toBe(false);
  });

  it('is injected into index.html as a meta tag, escaped', () => {
    const html = injectToken('<html><head><title>x</title></head><body></body></html>', 'a"<b>&');
    expect(html).toContain('<meta name="runlens-token" content="a&quot;&lt;b&gt;&amp;">');
    expect(html.indexOf('runlens-token')).toBeLessThan(html.indexOf('</head>'));
  });
});
