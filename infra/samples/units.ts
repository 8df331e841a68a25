// The fictional province of the samples (Tỉnh Sông Hồng): its units catalogue, shared by the
// generator and, through data/units.csv, by everyone who needs the same unit codes.

export type UnitLevel = 'TINH' | 'HUYEN' | 'XA';

export interface SampleUnit {
  code: string;
  name: string;
  level: UnitLevel;
  parentCode: string | null;
  validFrom: string;
  validTo: string | null;
}

const since = '2020-01-01';

export const SAMPLE_UNITS: readonly SampleUnit[] = [
  { code: 'T01', name: 'Tỉnh Sông Hồng', level: 'TINH', parentCode: null, validFrom: since, validTo: null },
  { code: 'H01', name: 'Thành phố Hòa Bình', level: 'HUYEN', parentCode: 'T01', validFrom: since, validTo: null },
  { code: 'X0101', name: 'Phường Trần Phú', level: 'XA', parentCode: 'H01', validFrom: since, validTo: null },
  { code: 'X0102', name: 'Phường Lê Lợi', level: 'XA', parentCode: 'H01', validFrom: since, validTo: null },
  { code: 'X0103', name: 'Phường Quang Trung', level: 'XA', parentCode: 'H01', validFrom: since, validTo: null },
  { code: 'X0104', name: 'Phường Hoàng Văn Thụ', level: 'XA', parentCode: 'H01', validFrom: since, validTo: null },
  { code: 'H02', name: 'Huyện Yên Sơn', level: 'HUYEN', parentCode: 'T01', validFrom: since, validTo: null },
  { code: 'X0201', name: 'Xã Yên Bình', level: 'XA', parentCode: 'H02', validFrom: since, validTo: null },
  { code: 'X0202', name: 'Xã Yên Lạc', level: 'XA', parentCode: 'H02', validFrom: since, validTo: null },
  { code: 'X0203', name: 'Xã Yên Thịnh', level: 'XA', parentCode: 'H02', validFrom: since, validTo: null },
];

/** units.csv: `code,name,level,parent_code,valid_from,valid_to` (empty = none / open). */
export function unitsCsv(units: readonly SampleUnit[] = SAMPLE_UNITS): string {
  const rows = units.map((u) => [u.code, u.name, u.level, u.parentCode ?? '', u.validFrom, u.validTo ?? ''].join(','));
  return ['code,name,level,parent_code,valid_from,valid_to', ...rows].join('\n') + '\n';
}
