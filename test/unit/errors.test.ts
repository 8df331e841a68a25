// One failure vocabulary (lib/errors.ts): every error class chiso throws is a ChisoError with a stable
// UPPER_SNAKE code and a deliberate retriable, and no other error class is declared outside it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileLimitError } from '../../connectors/common/limits.ts';
import { CsvQuoteError } from '../../lib/csv.ts';
import { XlsxLimitError, XlsxUnreadableError } from '../../lib/xlsx.ts';
import { UnreadableFileError } from '../../connectors/common/readers/errors.ts';
import { JsonSplitError } from '../../connectors/common/readers/json-splitter.ts';
import { Unredactable } from '../../connectors/redact.ts';
import { failureOf } from '../../connectors/run.ts';
import { StickySettingError } from '../../infra/clickhouse/chdb-guard.ts';
import { MigrationError } from '../../infra/clickhouse/migrate.ts';
import { ChisoError, ConfigError, errorMessage, InfraError, ToolMissingError, UsageError } from '../../lib/errors.ts';
import { UnsupportedSchema } from '../../schemas/unchanged.ts';
import { UploadTooLarge } from '../../services/ioc-api/archive.ts';
import { AnswerTooLarge } from '../../services/ioc-api/readonly-sql/run.ts';
import { DataRefused } from '../../services/sink/refused.ts';
import { Fenced } from '../../services/sink/write.ts';
import { toFailure } from '../../workflows/activities/support.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** One instance of every exported error class, with the code and retriable it must carry. */
const CASES: { error: ChisoError; cls: new (...a: never[]) => ChisoError; name: string; code: string; retriable: boolean }[] = [
  { error: new InfraError('Kafka is down', 'KAFKA_CONNECT'), cls: InfraError, name: 'InfraError', code: 'KAFKA_CONNECT', retriable: true },
  { error: new ToolMissingError('install java 17', 'java'), cls: ToolMissingError, name: 'ToolMissingError', code: 'TOOL_MISSING', retriable: false },
  { error: new UsageError('--from: expected a date'), cls: UsageError, name: 'UsageError', code: 'USAGE', retriable: false },
  { error: new ConfigError('Invalid configuration'), cls: ConfigError, name: 'ConfigError', code: 'CONFIG', retriable: false },
  { error: new UnsupportedSchema('x: coercion'), cls: UnsupportedSchema, name: 'UnsupportedSchema', code: 'UNSUPPORTED_SCHEMA', retriable: false },
  { error: new StickySettingError('chDB would keep readonly'), cls: StickySettingError, name: 'StickySettingError', code: 'STICKY_SETTING', retriable: false },
  {
    error: new MigrationError({ version: 1, name: '0001_x.sql', checksum: '', statements: ['SELECT 1'] }, 0, 'SELECT 1', 'boom', 'chiso'),
    cls: MigrationError,
    name: 'InfraError',
    code: 'MIGRATION_FAILED',
    retriable: false,
  },
  { error: new UnreadableFileError('a.csv: not UTF-8'), cls: UnreadableFileError, name: 'UnreadableFileError', code: 'UNREADABLE_FILE', retriable: false },
  { error: new FileLimitError('a.csv: refused'), cls: FileLimitError, name: 'FileLimitError', code: 'FILE_LIMIT', retriable: false },
  { error: new JsonSplitError('not a JSON export'), cls: JsonSplitError, name: 'JsonSplitError', code: 'JSON_SPLIT', retriable: false },
  { error: new CsvQuoteError('line 3: an unbalanced quote', 3, 'quote'), cls: CsvQuoteError, name: 'CsvQuoteError', code: 'CSV_QUOTE', retriable: false },
  { error: new XlsxLimitError('rows', 10, 5, 'rows'), cls: XlsxLimitError, name: 'XlsxLimitError', code: 'XLSX_LIMIT', retriable: false },
  { error: new XlsxUnreadableError('not a workbook'), cls: XlsxUnreadableError, name: 'XlsxUnreadableError', code: 'XLSX_UNREADABLE', retriable: false },
  { error: new Unredactable('nested more than 32 levels'), cls: Unredactable, name: 'Unredactable', code: 'UNREDACTABLE', retriable: false },
  { error: new UploadTooLarge('too large'), cls: UploadTooLarge, name: 'UploadTooLarge', code: 'UPLOAD_TOO_LARGE', retriable: false },
  { error: new AnswerTooLarge('too large'), cls: AnswerTooLarge, name: 'AnswerTooLarge', code: 'ANSWER_TOO_LARGE', retriable: false },
  { error: new DataRefused('raw_events', 'cannot parse'), cls: DataRefused, name: 'DataRefused', code: 'DATA_REFUSED', retriable: false },
  { error: new Fenced('the group is rebalancing'), cls: Fenced, name: 'Fenced', code: 'FENCED', retriable: true },
];

describe('the error classes', () => {
  it.each(CASES)('$name ($code) is a ChisoError with a stable code and a deliberate retriable', ({ error, cls, name, code, retriable }) => {
    expect(error).toBeInstanceOf(ChisoError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(cls);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error.code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
    expect(typeof error.retriable).toBe('boolean');
    expect(error.retriable).toBe(retriable);
    expect(typeof error.message).toBe('string');
  });

  it('keeps what the classes said before they joined the hierarchy', () => {
    const refused = new DataRefused('raw_events', 'cannot parse', { cause: new Error('Code: 6') });
    expect(refused.message).toBe('ClickHouse refused the rows of an insert into raw_events: cannot parse');
    expect(refused.table).toBe('raw_events');
    expect(refused.reason).toBe('cannot parse');
    expect(refused.cause).toBeInstanceOf(Error);
    expect(new FileLimitError('a.csv: refused')).toBeInstanceOf(UnreadableFileError);
    expect(new ConfigError('Invalid configuration:\n✖ X').message).toBe('Invalid configuration:\n✖ X');
  });

  it('gives each class its own code', () => {
    const fixed = CASES.filter((c) => c.cls !== InfraError);
    expect(new Set(fixed.map((c) => c.code)).size).toBe(fixed.length);
  });
});

describe('where the vocabulary is read', () => {
  it('a run keeps the code and retriable of what failed it', () => {
    expect(failureOf(new FileLimitError('a.csv: refused'))).toEqual({ code: 'FILE_LIMIT', retriable: false });
    expect(failureOf(new UnreadableFileError('a.csv: not UTF-8'))).toEqual({ code: 'UNREADABLE_FILE', retriable: false });
    expect(failureOf(new InfraError('Kafka is down', 'KAFKA_PRODUCE'))).toEqual({ code: 'KAFKA_PRODUCE', retriable: true });
    expect(failureOf(Object.assign(new Error('gone'), { code: 'ENOENT' }))).toEqual({ code: 'UNREADABLE_FILE', retriable: false });
    expect(failureOf(new TypeError('x is undefined'))).toEqual({ code: 'TypeError', retriable: true });
  });

  it('an activity fails with the code as its type, non-retryable unless retriable', () => {
    const usage = toFailure(new UsageError('no entity'));
    expect(usage.type).toBe('USAGE');
    expect(usage.nonRetryable).toBe(true);
    const infra = toFailure(new InfraError('Kafka is down', 'KAFKA_CONNECT'));
    expect(infra.type).toBe('KAFKA_CONNECT');
    expect(infra.nonRetryable).toBe(false);
    const other = toFailure(new TypeError('x is undefined'));
    expect(other.type).toBe('TypeError');
    expect(other.nonRetryable).toBe(false);
  });

  it('errorMessage reads anything thrown', () => {
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage(42)).toBe('42');
  });
});

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sources(full));
    else if (name.endsWith('.ts')) out.push(full);
  }
  return out;
}

describe('the hierarchy is the only one', () => {
  it('declares no error class outside ChisoError in the product code', () => {
    const floors = ['lib', 'schemas', 'infra', 'connectors', 'indicators', 'workflows', 'services', 'bin'];
    const outside: string[] = [];
    for (const floor of floors) {
      for (const file of sources(join(ROOT, floor))) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/class\s+(\w+)\s+extends\s+(Error|TypeError|RangeError)\b/g)) {
          const where = `${relative(ROOT, file)}: ${m[1]}`;
          if (where !== 'lib/errors.ts: ChisoError') outside.push(where);
        }
      }
    }
    expect(outside).toEqual([]);
  });

  it('has one errorMessage: no copy of `e instanceof Error ? e.message : String(e)` and no `(e as Error).message` in the product code', () => {
    const floors = ['lib', 'schemas', 'infra', 'connectors', 'indicators', 'workflows', 'services', 'bin'];
    const copies: string[] = [];
    for (const floor of floors) {
      for (const file of sources(join(ROOT, floor))) {
        if (relative(ROOT, file) === 'lib/errors.ts') continue;
        const text = readFileSync(file, 'utf8');
        if (/(\w+) instanceof Error \? \1\.message : String\(\1\)/.test(text)) copies.push(relative(ROOT, file));
        // A cast reads `undefined` from a thrown string or object: errorMessage reads anything.
        if (/\(\w+ as Error\)\??\.message/.test(text)) copies.push(`${relative(ROOT, file)} (cast)`);
      }
    }
    expect(copies).toEqual([]);
  });
});
