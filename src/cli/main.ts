/**
 * simnav command line. Each command lives in `commands/<name>.ts` and exports `summary`, `usage`
 * and `run(args)`; this file only dispatches, so adding a command never touches it.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export interface Command {
  /** One line for `simnav --help`. */
  readonly summary: string;
  /** Full help text for `simnav <command> --help`. */
  readonly usage: string;
  /** Runs the command; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');
const NAME = /^[a-z][a-z0-9-]*$/;

function commandNames(): string[] {
  return readdirSync(commandsDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function load(name: string): Promise<Command | undefined> {
  if (!NAME.test(name) || !commandNames().includes(name)) return undefined;
  return (await import(join(commandsDir, `${name}.ts`))) as Command;
}

async function help(): Promise<string> {
  const lines = ['usage: simnav <command> [options]', '', 'commands:'];
  for (const name of commandNames()) {
    const cmd = await load(name);
    if (cmd) lines.push(`  ${name.padEnd(14)} ${cmd.summary}`);
  }
  lines.push('', "run 'simnav <command> --help' for a command's options");
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write((await help()) + '\n');
    return name === undefined ? 2 : 0;
  }
  const cmd = await load(name);
  if (!cmd) {
    process.stderr.write(`simnav: unknown command '${name}'\n\n${await help()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(cmd.usage.trimEnd() + '\n');
    return 0;
  }
  return cmd.run(rest);
}
