// Bearer-token authentication for /api/v1 and the unit scope it grants. Tokens are compared as
// SHA-256 digests in constant time; neither the token nor its digest is ever logged.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FailedAuthLimiter } from './auth-limit.ts';
import type { ApiToken } from '../../infra/secrets/api-tokens.ts';
import { sendError } from './params.ts';
import type { UnitTree } from './units.ts';

export interface Caller {
  /** A label safe to log (the token's position in the configured list), never the token. */
  client: string;
  /** The unit whose subtree the caller may see; undefined: everything. */
  unit?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export type TokenCheck = { kind: 'missing' } | { kind: 'unknown' } | { kind: 'ok'; caller: Caller };

/** Matches an Authorization header against the configured tokens (used by the API and by /health/ready). */
export function tokenChecker(tokens: ApiToken[]): (header: string | string[] | undefined) => TokenCheck {
  const known = tokens.map((t, i) => ({ hash: digest(t.token), caller: { client: `token-${i + 1}`, ...(t.unit ? { unit: t.unit } : {}) } }));
  return (header) => {
    const m = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/.exec(header) : null;
    if (!m?.[1]) return { kind: 'missing' };
    const h = digest(m[1]);
    let found: Caller | undefined;
    for (const k of known) if (timingSafeEqual(k.hash, h)) found = k.caller;
    return found ? { kind: 'ok', caller: found } : { kind: 'unknown' };
  };
}

/**
 * Checks the caller's token: 429 while its address has failed too often (the limiter), 401 when the
 * header is missing or the token unknown (an unknown token counts as a failure of its address).
 * Returns the caller, or undefined once it has answered.
 */
export async function authenticate(req: FastifyRequest, reply: FastifyReply, check: ReturnType<typeof tokenChecker>, limiter: FailedAuthLimiter): Promise<Caller | undefined> {
  const wait = limiter.retryAfter(req.ip);
  if (wait > 0) {
    await reply.code(429).header('retry-after', String(wait)).send({ error: 'too_many_requests', field: 'authorization', reason: `too many failed authentications from this address; try again in ${wait} s` });
    return undefined;
  }
  const r = check(req.headers.authorization);
  if (r.kind === 'ok') return r.caller;
  if (r.kind === 'unknown') limiter.failed(req.ip);
  const reason = r.kind === 'missing' ? 'expected the header Authorization: Bearer <token>' : 'unknown token';
  await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', field: 'authorization', reason });
  return undefined;
}

export function authenticator(tokens: ApiToken[], limiter: FailedAuthLimiter = new FailedAuthLimiter()) {
  const check = tokenChecker(tokens);
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const caller = await authenticate(req, reply, check, limiter);
    if (caller) req.caller = caller;
  };
}

/** Whether the caller may see `code`; answers 404 (unknown unit, unscoped caller) or 403 itself when not. */
export function allowUnit(req: FastifyRequest, reply: FastifyReply, tree: UnitTree, code: string, field = 'unit'): boolean {
  const scope = req.caller?.unit;
  if (tree.get(code) === undefined && scope === undefined) {
    void sendError(reply, 404, 'not_found', field, `no unit with code ${code}`);
    return false;
  }
  if (!tree.inScope(code, scope)) {
    void sendError(reply, 403, 'forbidden', field, 'this unit is outside the token\'s scope');
    return false;
  }
  return true;
}

/** Operator-only resources (ingestion ledger, rejects, SQL) need a token without a unit scope. */
export function requireUnscoped(req: FastifyRequest, reply: FastifyReply): boolean {
  if (req.caller?.unit === undefined) return true;
  void sendError(reply, 403, 'forbidden', 'authorization', 'this resource needs a token without a unit scope');
  return false;
}
