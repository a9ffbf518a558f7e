// Module hooks for test/cli/built-cli.test.ts: append every module URL the process resolves to the
// file named by QS_IMPORT_LOG, so a test can see which packages a command loaded.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (process.env.QS_IMPORT_LOG) appendFileSync(process.env.QS_IMPORT_LOG, `${result.url}\n`);
  return result;
}
