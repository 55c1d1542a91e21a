import { UI_TOKEN_ARG_PREFIX } from '../src-main/contract/ui-api';

/** The launch token the main process appended to the renderer's argv (additionalArguments). */
export function tokenFromArgv(argv: readonly string[]): string {
  const arg = argv.find((a) => a.startsWith(UI_TOKEN_ARG_PREFIX));
  return arg ? arg.slice(UI_TOKEN_ARG_PREFIX.length) : '';
}
