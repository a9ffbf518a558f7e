/**
 * App-wide hardening: every web contents refuses navigation, new windows and webviews; the session
 * denies every permission request and adds a CSP header to anything served over http(s) (the
 * built files carry the same policy in a <meta> tag); IPC is only answered for our own pages.
 */
import { app, session, type WebContents, type WebFrameMain } from 'electron';
import { pathToFileURL } from 'node:url';
import { devServerUrl } from './build-mode.ts';
import { RENDERER_INDEX } from './window.ts';

// The same policy as the <meta> tag in src-renderer/index.html.
export const CONTENT_SECURITY_POLICY = `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self' ws://127.0.0.1:*; object-src 'none'; base-uri 'none'; form-action 'none'`;

function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function installSecurityPolicies(): void {
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
  const s = session.defaultSession;
  s.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  s.setPermissionCheckHandler(() => false);
  s.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      },
    });
  });
}

const trustedIndex = pathToFileURL(RENDERER_INDEX).href;

/** IPC is answered only for the app's own top-level page (built file or the dev server). */
export function isTrustedSender(frame: WebFrameMain | null): boolean {
  if (!frame || frame.parent) return false;
  const url = frame.url.split(/[?#]/)[0];
  if (url === trustedIndex) return true;
  const dev = devServerUrl(); // null in a production build
  return !!dev && new URL(frame.url).origin === new URL(dev).origin;
}
