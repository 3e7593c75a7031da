// Times as spend exports write them, into Unix nanoseconds as decimal text (the trace side's unit), keeping every
// fractional digit given: ISO 8601 with a zone, or LiteLLM's and Langfuse's `YYYY-MM-DD HH:MM:SS.ffffff` in UTC.

const isoPattern = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?|UTC)?$/;

/**
 * A time as Unix nanoseconds, or undefined when the text is no time. Text without a zone is UTC, as both LiteLLM's
 * database and Langfuse's exports write it. A number is taken as seconds, milliseconds, microseconds or nanoseconds
 * since 1970 by its size.
 */
export function unixNanoOf(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? numberNano(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return numberNano(Number(text));
  const match = isoPattern.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second = '0', fraction = '', zone] = match;
  const ms = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  if (Number.isNaN(ms) || Number(month) > 12 || Number(day) > 31 || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 60) return undefined;
  const nanos = BigInt(ms) * 1_000_000n + BigInt(fraction.padEnd(9, '0')) - BigInt(zoneOffsetMinutes(zone)) * 60_000_000_000n;
  return nanos < 0n ? undefined : nanos.toString();
}

function zoneOffsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z' || zone === 'z' || zone === 'UTC') return 0;
  const digits = zone.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
  return zone.startsWith('-') ? -minutes : minutes;
}

function numberNano(value: number): string | undefined {
  // 1e11 s is in the year 5138, 1e14 ms in 5138, 1e17 µs in 5138: past those, the next unit.
  const scale = value < 1e11 ? 1e9 : value < 1e14 ? 1e6 : value < 1e17 ? 1e3 : 1;
  if (scale === 1) return BigInt(Math.trunc(value)).toString();
  const whole = Math.trunc(value);
  const fraction = Math.round((value - whole) * scale);
  return (BigInt(whole) * BigInt(scale) + BigInt(fraction)).toString();
}
