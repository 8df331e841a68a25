// The indicator catalogue of INDICATORS.md as code: the stable codes, Vietnamese and English names,
// source and kind. The `indicators` table is loaded from this list (load.ts); the SQL is per family.
import { z } from 'zod';

export const KINDS = ['flow', 'distinct', 'stock', 'manual'] as const;
export type Kind = (typeof KINDS)[number];
export const FAMILIES = ['one-stop-shop', 'public-service-portal', 'document-management', 'manual'] as const;
export type Family = (typeof FAMILIES)[number];

export interface Indicator {
  code: string;
  name_vi: string;
  name_en: string;
  source: Family;
  kind: Kind;
  description: string;
}

const oss = (code: string, name_vi: string, name_en: string, kind: Kind, description: string): Indicator => ({ code, name_vi, name_en, source: 'one-stop-shop', kind, description });
const psp = (code: string, name_vi: string, name_en: string, kind: Kind, description: string): Indicator => ({ code, name_vi, name_en, source: 'public-service-portal', kind, description });
const dms = (code: string, name_vi: string, name_en: string, kind: Kind, description: string): Indicator => ({ code, name_vi, name_en, source: 'document-management', kind, description });
const man = (code: string, name_vi: string, name_en: string, description: string): Indicator => ({ code, name_vi, name_en, source: 'manual', kind: 'manual', description });

export const CATALOGUE: readonly Indicator[] = [
  oss('dossier_online', 'Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến', 'Share of dossiers received online', 'flow',
    'online dossiers / received dossiers (status not 1 or 3), on the day of received_at'),
  oss('dossier_fully_online', 'Tỷ lệ hồ sơ phát sinh trực tuyến toàn trình trên tổng hồ sơ của các DVCTT', 'Share of fully-online dossiers among dossiers of online services', 'flow',
    'online dossiers whose procedure is a full online service / received dossiers whose procedure is an online service (full or partial), level looked up for the dossier unit and received day'),
  oss('dossier_partially_online', 'Tỷ lệ hồ sơ phát sinh trực tuyến một phần trên tổng hồ sơ của các DVCTT', 'Share of partially-online dossiers among dossiers of online services', 'flow',
    'online dossiers whose procedure is a partial online service / received dossiers whose procedure is an online service'),
  oss('dossier_digitized', 'Tỷ lệ số hóa hồ sơ TTHC', 'Share of dossiers with digitised components', 'flow',
    'received dossiers with has_digitized_components / received dossiers'),
  oss('result_electronic', 'Tỷ lệ hồ sơ cấp kết quả điện tử', 'Share of resolved dossiers with an electronic result', 'flow',
    'resolved dossiers with an electronic result document / resolved dossiers, on the day of finished_at'),
  oss('document_reuse', 'Tỷ lệ hồ sơ khai thác, sử dụng lại thông tin, dữ liệu số hóa', 'Share of dossiers reusing digitised data', 'flow',
    'received dossiers with a reused component (DuocTaiSuDung) / received dossiers'),
  oss('resolved_on_time', 'Tỷ lệ hồ sơ giải quyết đúng hạn', 'Share of resolved dossiers finished on time', 'flow',
    'resolved dossiers with finished_at <= due_at or no due_at / resolved dossiers, on the day of finished_at (resolved-only variant of QD 766 index 2.1)'),
  oss('online_vneid', 'Tỷ lệ hồ sơ trực tuyến xác thực bằng tài khoản VNeID', 'Share of online dossiers authenticated with VNeID', 'flow',
    'online dossiers with vneid_authenticated / online dossiers'),
  psp('service_fully_online', 'Tỷ lệ DVCTT toàn trình', 'Share of online services that are fully online', 'stock',
    'catalogue entries valid at the end of the day with level full / entries with level full or partial'),
  psp('service_with_online_dossiers', 'Tỷ lệ DVCTT phát sinh hồ sơ trực tuyến', 'Share of online services with online dossiers', 'distinct',
    'distinct online-service procedures with at least one online dossier / distinct online-service procedures with at least one received dossier, recomputed over the period and subtree'),
  psp('service_redesigned', 'Tỷ lệ DVCTT được thiết kế lại, điền sẵn dữ liệu', 'Share of online services redesigned with pre-filled data', 'stock',
    'online services valid at the end of the day with redesigned / online services'),
  psp('payment_online', 'Tỷ lệ giao dịch thanh toán trực tuyến', 'Share of payments made online', 'flow',
    'successful online payments / successful payments, on the day of paid_at, for the unit of the dossier when known'),
  psp('procedure_fee_online', 'Tỷ lệ TTHC có nghĩa vụ tài chính được thanh toán trực tuyến', 'Share of fee-bearing procedures paid online', 'distinct',
    'distinct procedures with a successful online payment / distinct procedures with a successful payment'),
  psp('satisfaction', 'Tỷ lệ hài lòng', 'Satisfaction rate', 'flow',
    'ratings very_satisfied or satisfied / all ratings, on the day of rated_at, for the unit of the dossier when known'),
  dms('outgoing_signed', 'Tỷ lệ văn bản đi điện tử ký số chuyên dùng', 'Share of outgoing documents electronic and digitally signed (government CA)', 'flow',
    'non-secret outgoing electronic documents with a specialised signature / non-secret outgoing documents, on the day of issued_at'),
  dms('documents_electronic', 'Tỷ lệ văn bản trao đổi giữa các cơ quan nhà nước dưới dạng điện tử', 'Share of documents exchanged between state agencies electronically', 'flow',
    'non-secret outgoing electronic documents to state agencies / non-secret outgoing documents to state agencies'),
  dms('work_records_online', 'Tỷ lệ hồ sơ công việc xử lý trên môi trường mạng', 'Share of work records processed online', 'flow',
    'non-secret work records processed online / non-secret work records, on the day of opened_at'),
  man('reports_online', 'Tỷ lệ báo cáo định kỳ gửi qua Hệ thống thông tin báo cáo của tỉnh', 'Share of periodic reports sent through the provincial reporting system', 'imported official figure (seed 000 item 4)'),
  man('digital_economy_grdp', 'Tỷ trọng kinh tế số trong GRDP', 'Digital economy share of GRDP', 'imported official figure (seed 003 II.1)'),
  man('digital_economy_sector_share', 'Tỷ trọng kinh tế số trong từng ngành, lĩnh vực', 'Digital economy share in each sector', 'imported official figure (seed 003 II.2)'),
  man('meetings_online', 'Tỷ lệ cuộc họp được tổ chức trực tuyến', 'Share of meetings held online', 'imported official figure'),
  man('staff_trained_digital', 'Tỷ lệ cán bộ, công chức được bồi dưỡng kỹ năng số', 'Share of civil servants trained in digital skills', 'imported official figure'),
  man('fibre_households', 'Tỷ lệ hộ gia đình có kết nối cáp quang', 'Share of households with fibre', 'imported official figure'),
  man('smartphone_adults', 'Tỷ lệ người trưởng thành có điện thoại thông minh', 'Share of adults with a smartphone', 'imported official figure'),
  man('vneid_accounts', 'Tỷ lệ người dân có tài khoản định danh điện tử', 'Share of residents with an electronic identity account', 'imported official figure'),
];

export const indicatorCode = z.enum(CATALOGUE.map((i) => i.code) as [string, ...string[]]);

export function indicatorsOf(family: Family): Indicator[] {
  return CATALOGUE.filter((i) => i.source === family);
}

export function findIndicator(code: string): Indicator | undefined {
  return CATALOGUE.find((i) => i.code === code);
}
