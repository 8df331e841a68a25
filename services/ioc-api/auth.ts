// Bearer-token authentication for /api/v1 and the unit scope it grants. Tokens are compared as
// SHA-256 digests in constant time; neither the token nor its digest is ever logged.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiToken } from './tokens.ts';
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

export function authenticator(tokens: ApiToken[]) {
  const known = tokens.map((t, i) => ({ hash: digest(t.token), caller: { client: `token-${i + 1}`, ...(t.unit ? { unit: t.unit } : {}) } }));
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/.exec(header) : null;
    if (!m?.[1]) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', field: 'authorization', reason: 'expected the header Authorization: Bearer <token>' });
      return;
    }
    const h = digest(m[1]);
    let found: Caller | undefined;
    for (const k of known) if (timingSafeEqual(k.hash, h)) found = k.caller;
    if (!found) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', field: 'authorization', reason: 'unknown token' });
      return;
    }
    req.caller = found;
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
