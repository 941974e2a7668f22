/** Parameter readers shared by the actions. */
import { param } from './params.ts';
import type { Params } from './params.ts';
import { parseList, parseExceptionPrefixes } from '../../domain/pools/numbers.ts';
import { parseDeviceIds, parseOperators } from '../../domain/pools/filters.ts';
import type { NumberFilters } from '../../domain/pools/filters.ts';

/** `device_id`/`deviceId`, `operator`, `phone_exception`/`phoneException`; null when the exception list is malformed. */
export function readFilters(p: Params, withExceptions: boolean): NumberFilters | null {
  let exceptions: string[] = [];
  if (withExceptions) {
    const e = parseExceptionPrefixes(param(p, 'phone_exception', 'phoneException'));
    if (e === null) return null;
    exceptions = e;
  }
  return {
    deviceIds: parseDeviceIds(parseList(param(p, 'device_id', 'deviceId'))),
    operators: parseOperators(parseList(param(p, 'operator'))),
    exceptions,
  };
}
