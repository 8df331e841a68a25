// The BACKUP and RESTORE statements for chDB (a File path) and a server (its backup disk), with every
// path as a query parameter, and the manifest's schema that a restore reads first.
import { describe, expect, it } from 'vitest';
import { backupStatement, restoreStatement } from '../../infra/clickhouse/backup.ts';
import { manifestSchema } from '../../infra/clickhouse/backup-manifest.ts';

describe('BACKUP and RESTORE statements', () => {
  it('backs up the database to a File path or a Disk, asynchronously, the path bound as a parameter', () => {
    expect(backupStatement({ db: 'chiso' }, { engine: 'File', path: "/srv/b'; DROP" })).toEqual({
      sql: 'BACKUP DATABASE chiso TO File({backup_path:String}) ASYNC',
      params: { backup_path: "/srv/b'; DROP" },
    });
    expect(backupStatement({ db: 'chiso', cluster: 'province' }, { engine: 'Disk', disk: 'backups', path: 'nightly-1' })).toEqual({
      sql: 'BACKUP DATABASE chiso ON CLUSTER province TO Disk({backup_disk:String}, {backup_path:String}) ASYNC',
      params: { backup_disk: 'backups', backup_path: 'nightly-1' },
    });
  });

  it('restores the backed-up database under the store\'s name', () => {
    expect(restoreStatement({ db: 'chiso' }, 'chiso', { engine: 'File', path: '/b/clickhouse' }).sql).toBe('RESTORE DATABASE chiso FROM File({backup_path:String}) ASYNC');
    expect(restoreStatement({ db: 'chiso_test' }, 'chiso', { engine: 'File', path: '/b/clickhouse' }).sql).toBe('RESTORE DATABASE chiso AS chiso_test FROM File({backup_path:String}) ASYNC');
    expect(() => restoreStatement({ db: 'chiso' }, 'chiso; DROP', { engine: 'File', path: '/b' })).toThrow(/invalid database name/);
  });
});

describe('the backup manifest', () => {
  const manifest = {
    format: 'chiso-backup/1',
    chiso: '0.1.0',
    createdAt: '2025-03-31T19:00:00.000Z',
    clickhouse: { mode: 'chdb', version: '26.7.2.1', database: 'chiso', target: { engine: 'File', path: 'clickhouse' }, backupId: 'x' },
    migrations: [{ version: 1, name: '0001_ioc_contract', checksum: '65e08102a87f5311' }],
    tables: [{ name: 'indicator_values', rows: 10, rowsAfter: 10 }],
    files: [{ path: 'clickhouse/.backup', bytes: 12, sha256: 'a'.repeat(64) }],
    dataDirs: ['checkpoints'],
  };

  it('accepts what createBackup writes and refuses anything else', () => {
    expect(manifestSchema.safeParse(manifest).success).toBe(true);
    expect(manifestSchema.safeParse({ ...manifest, format: 'chiso-backup/2' }).success).toBe(false);
    expect(manifestSchema.safeParse({ ...manifest, clickhouse: { ...manifest.clickhouse, database: 'x; DROP' } }).success).toBe(false);
    expect(manifestSchema.safeParse({ ...manifest, clickhouse: { ...manifest.clickhouse, target: { engine: 'S3', path: 'x' } } }).success).toBe(false);
    expect(manifestSchema.safeParse({ ...manifest, files: [{ path: 'a', bytes: 1, sha256: 'nope' }] }).success).toBe(false);
  });
});
