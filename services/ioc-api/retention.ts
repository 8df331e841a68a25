// The archive's retention (CHISO_ARCHIVE_RETENTION_DAYS), run by the api role, which owns the
// archive: once at start and then every 6 hours, each removed file logged. Unset: archives are kept.
import type { Config } from '../../schemas/config.ts';
import type { Logger } from '../../lib/logger.ts';
import { pruneArchive } from './archive.ts';

const EVERY_MS = 6 * 3600_000;

/** Starts the retention timer; returns how to stop it. */
export function startArchiveRetention(cfg: Config, log: Logger): () => void {
  const days = cfg.archiveRetentionDays;
  if (days === undefined) return () => undefined;
  const rlog = log.child({ component: 'archive-retention' });
  const run = () =>
    void pruneArchive(cfg.dataDir, days, rlog)
      .then((n) => rlog.info({ removed: n, retentionDays: days }, 'archive retention pass done'))
      .catch((e: unknown) => rlog.error({ err: e }, 'archive retention pass failed'));
  const first = setTimeout(run, 5_000);
  const timer = setInterval(run, EVERY_MS);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
