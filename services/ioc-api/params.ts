// zod schemas of every API parameter, and the one way a bad parameter is answered: 400 with
// { error, field, reason }. The patterns are strict so that nothing unexpected reaches SQL, which
// binds every value anyway.
import type { FastifyReply } from 'fastify';
import { z } from 'zod';

export const unitCode = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected a unit code: 1-64 letters, digits, ".", "_" or "-"');
export const indicatorCode = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'expected an indicator code: lower-case letters, digits and "_"');
export const planCode = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected a plan code: 1-64 letters, digits, ".", "_" or "-"');
export const year = z.coerce.number({ error: 'expected a year such as 2025' }).int('expected a year such as 2025').min(2000, 'expected a year from 2000 to 2100').max(2100, 'expected a year from 2000 to 2100');

const isRealDate = (s: string) => {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
};
export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD').refine(isRealDate, 'expected a real calendar date YYYY-MM-DD');
export const month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month YYYY-MM')
  .refine((m) => Number(m.slice(0, 4)) >= 2000 && Number(m.slice(0, 4)) <= 2100, 'expected a month from 2000-01 to 2100-12');
export const period = z.enum(['day', 'month', 'quarter', 'year'], { error: 'expected one of day, month, quarter, year' });
export const runId = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'expected a run id: letters, digits, ".", "_", ":" or "-"');
export const sourceName = z.string().regex(/^[a-z0-9-]{1,64}$/, 'expected a source name such as one-stop-shop');
export const flag = z.stringbool({ error: 'expected true or false' });
export const limit = (max: number, fallback: number) =>
  z.coerce.number({ error: `expected a number from 1 to ${max}` }).int(`expected a whole number from 1 to ${max}`).min(1, `expected a number from 1 to ${max}`).max(max, `expected a number from 1 to ${max}`).default(fallback);
export const offset = z.coerce.number({ error: 'expected a number from 0' }).int('expected a whole number from 0').min(0, 'expected a number from 0').max(10_000_000, 'expected a number up to 10000000').default(0);

export interface BadRequest {
  error: 'bad_request';
  field: string;
  reason: string;
}

export type Parsed<T> = { ok: true; data: T } | { ok: false; bad: BadRequest };

/** Validates one request part; unknown keys are refused too, naming the key. */
export function parseParams<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.infer<S>> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return { ok: true, data: r.data };
  const issue = r.error.issues[0];
  if (!issue) return { ok: false, bad: { error: 'bad_request', field: '', reason: 'invalid request' } };
  if (issue.code === 'unrecognized_keys') return { ok: false, bad: { error: 'bad_request', field: String(issue.keys[0]), reason: 'unknown parameter' } };
  const field = issue.path.map(String).join('.');
  const reason = issue.code === 'invalid_type' && issue.input === undefined ? 'required' : issue.message;
  return { ok: false, bad: { error: 'bad_request', field, reason } };
}

export function sendBad(reply: FastifyReply, bad: BadRequest): FastifyReply {
  return reply.code(400).send(bad);
}

export function sendError(reply: FastifyReply, code: 403 | 404 | 409, error: 'forbidden' | 'not_found' | 'conflict', field: string, reason: string): FastifyReply {
  return reply.code(code).send({ error, field, reason });
}
