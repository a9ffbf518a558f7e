/**
 * `quantscope serve [--port N] [--open MODEL]`: the UI in a browser. Serves the built renderer and
 * the API contract on 127.0.0.1 and prints the URL (with its access token).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { createHandlers, createServices } from '../../services/api/handlers.ts';
import { ServiceError } from '../../services/errors.ts';
import { defaultExampleModel, rendererDir } from '../../services/paths.ts';
import { startWebHost, type WebHost } from '../../services/web/web-host.ts';

export interface ServeOptions {
  port?: number;
  /** Model to open on start-up; default: the bundled example. */
  open?: string;
}

export async function serve(opts: ServeOptions): Promise<{ host: WebHost; close(): Promise<void> }> {
  const startupModel = opts.open ? resolve(opts.open) : defaultExampleModel();
  if (!existsSync(startupModel)) throw new ServiceError('NOT_FOUND', `No such file: ${startupModel}`);
  const services = createServices();
  services.jobs.prewarm();
  const host = await startWebHost({
    handlers: createHandlers(services, { host: 'web', startupModel }),
    jobs: services.jobs,
    rendererDir: rendererDir(),
    port: opts.port,
  });
  return {
    host,
    async close() {
      await host.close();
      await services.close();
    },
  };
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ServiceError('BAD_ARGUMENT', `Invalid port: ${v}`);
  return n;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('Serve the QuantScope UI on 127.0.0.1 and print its URL')
    .option('--port <n>', 'port (default: a free one)', parsePort)
    .option('--open <model>', 'model to open on start-up (default: examples/person_detect.tflite)')
    .action(async (opts: ServeOptions) => {
      const { host, close } = await serve(opts);
      if (!existsSync(join(rendererDir(), 'index.html'))) {
        process.stderr.write(
          `quantscope: the UI is not built (${rendererDir()}); run "npm run build" first\n`,
        );
      }
      process.stdout.write(`QuantScope is running at ${host.url}\n`);
      const stop = () => {
        close().finally(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
