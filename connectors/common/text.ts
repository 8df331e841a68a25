// Folding of Vietnamese text for matching: codes, names, slugs and spreadsheet headings compare
// without case, diacritics or punctuation ("RẤT HÀI LÒNG", "rat-hai-long", "RAT_HAI_LONG" are one).

/** Lower case, no diacritics (đ -> d), every run of non-alphanumerics as one space. */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The matching key of a field name or heading: folded, without spaces ("Mã hồ sơ" = "MaHoSo" = "mahoso"). */
export function headingKey(text: string): string {
  return fold(text).replace(/ /g, '');
}

/** A value as text for messages and parsing: trimmed; null/undefined as ''. */
export function asText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
  return JSON.stringify(v);
}

export function isBlank(v: unknown): boolean {
  return asText(v) === '';
}

/** A short quotable rendering of a bad value for a reject reason. */
export function quote(v: unknown): string {
  const t = asText(v);
  return JSON.stringify(t.length > 60 ? `${t.slice(0, 57)}...` : t);
}
