/** Builds the web console into `outDir` (default dist/web); resolves to the file names written. */
export function buildWeb(outDir?: string): Promise<string[]>;
