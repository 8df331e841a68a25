// Obviously fake personal data for the samples, so that the PII tests have something to look for:
// id numbers start with 099 (no province has that code), phones with 0900000, e-mails end @example.vn.
import type { Rng } from './random.ts';

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đặng', 'Bùi', 'Đỗ', 'Ngô'];
const MIDDLE = ['Văn', 'Thị', 'Minh', 'Thu', 'Đức', 'Ngọc', 'Quang', 'Thanh'];
const GIVEN = ['An', 'Bình', 'Chi', 'Dũng', 'Hà', 'Hùng', 'Lan', 'Linh', 'Mai', 'Nam', 'Phúc', 'Quân', 'Sơn', 'Trang', 'Tuấn', 'Yến'];

export interface FakePerson {
  name: string;
  idNumber: string;
  phone: string;
  email: string;
  address: string;
}

const ascii = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase();

export function fakePerson(rng: Rng, unitName: string): FakePerson {
  const family = rng.pick(FAMILY);
  const given = rng.pick(GIVEN);
  const name = `${family} ${rng.pick(MIDDLE)} ${given}`;
  const serial = String(rng.int(0, 999_999_999)).padStart(9, '0');
  return {
    name,
    idNumber: `099${serial}`,
    phone: `0900${String(rng.int(0, 999_999)).padStart(6, '0')}`,
    email: `${ascii(given)}.${ascii(family)}${rng.int(1, 999)}@example.vn`,
    address: `Số ${rng.int(1, 200)}, ${unitName}, Tỉnh Sông Hồng`,
  };
}

/** An official's name (NguoiXuLy), equally fake. */
export function fakeOfficial(rng: Rng): string {
  return `${rng.pick(FAMILY)} ${rng.pick(MIDDLE)} ${rng.pick(GIVEN)}`;
}
