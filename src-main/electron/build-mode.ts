/**
 * Which build this is, fixed when electron-vite bundles the main process: `import.meta.env.DEV`
 * is replaced by a literal (true under `electron-vite dev`, false in `electron-vite build`), so a
 * production bundle has no branch that reads the dev server's address at all. No runtime
 * environment variable can turn a production build into a dev one.
 */
declare global {
  /** The part of Vite's build-time constants the main process uses. */
  interface ImportMetaEnv {
    readonly DEV: boolean;
  }
  interface ImportMeta {
    readonly env: ImportMetaEnv;
  }
}

/**
 * The electron-vite dev server's URL in a dev build, else null. In a production bundle the
 * condition is the literal `false` and the bundler drops the branch, environment read included
 * (test/electron/production-bundle.test.ts checks the built bundle).
 */
export function devServerUrl(): string | null {
  if (import.meta.env.DEV) return process.env.ELECTRON_RENDERER_URL || null;
  return null;
}
