/**
 * Hook for `runlens import PATH...`. The importer module (src-main/importers/) plugs in here:
 * set `importCommand` to a function that imports the given paths into the store in `dataDir`
 * and reports progress on stdout. Until then the CLI prints a clear "not available" message.
 */
export interface ImportCommandOptions {
  dataDir: string;
  /** Progress / summary lines for the terminal. */
  log: (line: string) => void;
}

export type ImportCommand = (paths: readonly string[], options: ImportCommandOptions) => Promise<void>;

export const importCommand: ImportCommand | null = null;
