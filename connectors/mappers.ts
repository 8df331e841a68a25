// The mapper of each entity, and how an entity is recognised from a file name.
import { type EntityName, sourceOf, type SourceId } from '../schemas/events.ts';
import type { EntityMapper } from './common/mapper.ts';
import { mapper as documents } from './document-management/documents.ts';
import { mapper as workRecords } from './document-management/work-records.ts';
import { mapper as dossiers } from './one-stop-shop/dossiers.ts';
import { mapper as payments } from './public-service-portal/payments.ts';
import { mapper as ratings } from './public-service-portal/ratings.ts';
import { mapper as services } from './public-service-portal/services.ts';

export const MAPPERS: Record<EntityName, EntityMapper> = {
  dossiers,
  documents,
  'work-records': workRecords,
  services,
  payments,
  ratings,
};

/** File-name words that name an entity (checked longest first: "ho-so-cong-viec" before "ho-so"). */
export const ENTITY_NAMES: readonly (readonly [string, EntityName])[] = [
  ['work-records', 'work-records'],
  ['work_records', 'work-records'],
  ['ho-so-cong-viec', 'work-records'],
  ['ho_so_cong_viec', 'work-records'],
  ['hscv', 'work-records'],
  ['dossiers', 'dossiers'],
  ['ho-so', 'dossiers'],
  ['ho_so', 'dossiers'],
  ['hoso', 'dossiers'],
  ['documents', 'documents'],
  ['van-ban', 'documents'],
  ['van_ban', 'documents'],
  ['services', 'services'],
  ['dich-vu', 'services'],
  ['dich_vu', 'services'],
  ['tthc', 'services'],
  ['payments', 'payments'],
  ['thanh-toan', 'payments'],
  ['thanh_toan', 'payments'],
  ['ratings', 'ratings'],
  ['danh-gia', 'ratings'],
  ['danh_gia', 'ratings'],
];

/** The entity a file name announces within a source, if any. */
export function entityFromName(source: SourceId, fileName: string): EntityName | undefined {
  const base = fileName.toLowerCase();
  for (const [word, entity] of ENTITY_NAMES) {
    if (base.includes(word) && sourceOf(entity) === source) return entity;
  }
  return undefined;
}

export function acceptedEntityNames(source: SourceId): string {
  return ENTITY_NAMES.filter(([, e]) => sourceOf(e) === source)
    .map(([w]) => w)
    .join(', ');
}
