import { runImportCommand } from '../importers/import-cli';

/**
 * `runlens import PATH...`: imports the given paths into the store in `dataDir` and reports
 * progress on stdout (see src-main/importers/import-cli.ts).
 */
export interface ImportCommandOptions {
  dataDir: string;
  /** Progress / summary lines for the terminal. */
  log: (line: string) => void;
}

export type ImportCommand = (paths: readonly string[], options: ImportCommandOptions) => Promise<void>;

export const importCommand: ImportCommand | null = runImportCommand;
