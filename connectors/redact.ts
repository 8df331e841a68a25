// The original text of a rejected record with its personal fields replaced by "[redacted]": rejects
// keep the original by design, but personal data must not travel with it. Readers of spreadsheets
// redact their rows as they build them (they know the columns); JSON text is redacted here.
import { redactJsonText } from './pii.ts';
import type { RawRecord } from './types.ts';

export function redactOriginal(raw: RawRecord): { original: string; encoding: 'utf8' | 'base64' } {
  if (raw.originalEncoding === 'base64') {
    // Undecodable bytes: redact on the byte-preserving latin1 view (field names are ASCII), keep the bytes.
    const latin1 = Buffer.from(raw.original, 'base64').toString('latin1');
    return { original: Buffer.from(redactJsonText(latin1), 'latin1').toString('base64'), encoding: 'base64' };
  }
  const text = raw.original.trimStart();
  if (text.startsWith('{') || text.startsWith('[')) return { original: redactJsonText(raw.original), encoding: 'utf8' };
  return { original: raw.original, encoding: 'utf8' };
}
