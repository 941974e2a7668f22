/**
 * `&&` chains of device commands (device-link.md §3.1): the device runs sub-commands left to right.
 */
import { fail, ok, type Result } from '../result.ts';

export const CHAIN_SEPARATOR = '&&';

/** Splits a command into its sub-commands (empty sub-commands are kept, as the device sees them). */
export function splitChain(command: string): string[] {
  return command.split(CHAIN_SEPARATOR);
}

/**
 * Joins sub-commands into one chain. A sub-command that itself contains `&&` would start a
 * different command on the device (device-link.md §10.1 item 6), so it is rejected.
 */
export function joinChain(commands: readonly string[]): Result<string> {
  if (commands.length === 0) return fail('EMPTY_CHAIN', 'a chain needs at least one command', 'command');
  for (let i = 0; i < commands.length; i++) {
    const c = commands[i]!;
    if (c.length === 0) return fail('EMPTY_COMMAND', `command ${i + 1} of the chain is empty`, 'command', i);
    if (c.includes(CHAIN_SEPARATOR)) return fail('CHAIN_INJECTION', `command ${i + 1} contains '&&'`, 'command', i);
  }
  return ok(commands.join(CHAIN_SEPARATOR));
}
