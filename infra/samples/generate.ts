// Generator of the sample exports of Tỉnh Sông Hồng (deterministic for a seed): units, one-stop-shop
// dossiers (NDJSON + "Danh sach ho so" CSV and XLSX), documents and work records, the services
// catalogue, payments and ratings, each with a few deliberate bad rows listed in manifest.json.
// `npm run samples` rewrites infra/samples/data; `--out DIR --scale N` makes benchmark volumes, streamed.
import { writeFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BAD, type BadRow, WithBadRows } from './bad-rows.ts';
import { DAY, dmy, isWeekend, localMidnight } from './clock.ts';
import { DOCUMENT_COLUMNS, documentRow, makeDocument, makeWorkRecord, WORK_RECORD_COLUMNS } from './documents.ts';
import { DOSSIER_COLUMNS, dossierJson, dossierRow, makeDossier } from './dossiers.ts';
import { PAYMENT_COLUMNS, paymentRow, paymentsOf, RATING_COLUMNS, ratingOf, ratingRow, serviceJson } from './portal.ts';
import { buildCatalogue } from './procedures.ts';
import { Rng, seedOf } from './random.ts';
import { SAMPLE_UNITS, unitsCsv } from './units.ts';
import { csvWriter, ndjsonWriter, xlsxWriter } from './writers.ts';

export interface GenerateOptions {
  out: string;
  /** First and last local day, YYYY-MM-DD. */
  from: string;
  to: string;
  /** Volume multiplier: 1 is about 1,800 dossiers a quarter (7,000 a year) for the province. */
  scale: number;
  seed: string;
}

export interface Manifest {
  seed: string;
  from: string;
  to: string;
  scale: number;
  files: Record<string, { entity: string; records: number; bad: BadRow[] }>;
}

export const DEFAULTS: GenerateOptions = { out: 'infra/samples/data', from: '2025-01-01', to: '2025-03-31', scale: 1, seed: 'song-hong' };

/** Share of the province's dossiers received by each unit (the province's departments file under T01). */
const DOSSIER_SHARE: Record<string, number> = { T01: 0.14, H01: 0.14, H02: 0.1, X0101: 0.09, X0102: 0.08, X0103: 0.07, X0104: 0.07, X0201: 0.11, X0202: 0.1, X0203: 0.1 };
const DOSSIERS_PER_WORKING_DAY = 26;

function title(report: string, o: GenerateOptions): string[] {
  return ['UBND TỈNH SÔNG HỒNG', report, `Từ ngày ${dmy(localMidnight(o.from))} đến ngày ${dmy(localMidnight(o.to))}`];
}

export async function generateSamples(opts: GenerateOptions): Promise<Manifest> {
  const o = { ...opts, out: resolve(opts.out) };
  const rng = new Rng(seedOf(o.seed));
  const start = localMidnight(o.from);
  const end = localMidnight(o.to) + DAY;
  await mkdir(o.out, { recursive: true });
  await writeFile(join(o.out, 'units.csv'), unitsCsv());

  const oss = (f: string) => join(o.out, 'one-stop-shop', f);
  const dm = (f: string) => join(o.out, 'document-management', f);
  const psp = (f: string) => join(o.out, 'public-service-portal', f);
  const out = {
    dossiers: new WithBadRows(ndjsonWriter(oss('dossiers.ndjson')), BAD.dossiers, 40),
    dossierCsv: new WithBadRows(csvWriter(oss('dossiers-danh-sach-ho-so.csv'), { title: title('DANH SÁCH HỒ SƠ', o), columns: DOSSIER_COLUMNS }), BAD.dossierSheet, 30),
    dossierXlsx: new WithBadRows(xlsxWriter(oss('dossiers-danh-sach-ho-so.xlsx'), { title: title('DANH SÁCH HỒ SƠ', o), columns: DOSSIER_COLUMNS }, 'Danh sach ho so'), BAD.dossierSheet, 30),
    documents: new WithBadRows(ndjsonWriter(dm('documents.ndjson')), BAD.documents, 60),
    documentCsv: new WithBadRows(csvWriter(dm('documents-so-van-ban.csv'), { title: title('SỔ VĂN BẢN', o), columns: DOCUMENT_COLUMNS }), [], 1),
    workRecords: new WithBadRows(ndjsonWriter(dm('work-records.ndjson')), BAD.workRecords, 40),
    workRecordCsv: new WithBadRows(csvWriter(dm('work-records-ho-so-cong-viec.csv'), { title: title('DANH SÁCH HỒ SƠ CÔNG VIỆC', o), columns: WORK_RECORD_COLUMNS }), [], 1),
    payments: new WithBadRows(ndjsonWriter(psp('payments.ndjson')), BAD.payments, 50),
    paymentCsv: new WithBadRows(csvWriter(psp('payments-giao-dich.csv'), { title: title('DANH SÁCH GIAO DỊCH THANH TOÁN', o), columns: PAYMENT_COLUMNS }, ';'), [], 1),
    ratings: new WithBadRows(ndjsonWriter(psp('ratings.ndjson')), BAD.ratings, 50),
    ratingCsv: new WithBadRows(csvWriter(psp('ratings-danh-gia.csv'), { title: title('KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG', o), columns: RATING_COLUMNS }), [], 1),
  };
  const entityOf: Record<keyof typeof out, string> = {
    dossiers: 'dossiers',
    dossierCsv: 'dossiers',
    dossierXlsx: 'dossiers',
    documents: 'documents',
    documentCsv: 'documents',
    workRecords: 'work-records',
    workRecordCsv: 'work-records',
    payments: 'payments',
    paymentCsv: 'payments',
    ratings: 'ratings',
    ratingCsv: 'ratings',
  };

  // The catalogue as it stood before the period, with some services upgraded in its middle.
  const catalogue = buildCatalogue(rng, start + Math.floor((end - start) / DAY / 2) * DAY, localMidnight('2024-01-01'));
  let paymentSeq = 0;
  let ratingSeq = 0;
  let stt = 0;
  const seq = new Map<string, number>();
  const next = (key: string) => {
    const n = (seq.get(key) ?? 0) + 1;
    seq.set(key, n);
    return n;
  };

  for (let day = start; day < end; day += DAY) {
    const weekend = isWeekend(day);
    for (const unit of SAMPLE_UNITS) {
      const mean = DOSSIERS_PER_WORKING_DAY * o.scale * (DOSSIER_SHARE[unit.code] ?? 0.05) * (weekend ? 0.12 : 1);
      for (let i = rng.count(mean); i > 0; i--) {
        const d = makeDossier(rng, catalogue, unit, day, next(`${unit.code}:${day}`), end);
        const route = rng.next();
        if (route < 0.08) await out.dossierCsv.write(dossierRow(d, ++stt, false));
        else if (route < 0.13) await out.dossierXlsx.write(dossierRow(d, ++stt, true));
        else await out.dossiers.write(dossierJson(d, rng, end));
        for (const p of paymentsOf(rng, d, () => ++paymentSeq)) {
          if (rng.chance(0.1)) await out.paymentCsv.write(paymentRow(p));
          else await out.payments.write(p);
        }
        const r = ratingOf(rng, d, () => ++ratingSeq);
        if (r) {
          if (rng.chance(0.1)) await out.ratingCsv.write(ratingRow(r));
          else await out.ratings.write(r);
        }
      }
      if (weekend) continue;
      for (let i = rng.count((unit.level === 'XA' ? 1.2 : 3) * o.scale); i > 0; i--) {
        const doc = makeDocument(rng, unit, day, next(`doc:${unit.code}`));
        if (rng.chance(0.08)) await out.documentCsv.write(documentRow(doc));
        else await out.documents.write(doc);
      }
      for (let i = rng.count((unit.level === 'XA' ? 0.4 : 0.9) * o.scale); i > 0; i--) {
        const wr = makeWorkRecord(rng, unit, day, next(`wr:${unit.code}`), end);
        if (rng.chance(0.1)) await out.workRecordCsv.write(wr);
        else await out.workRecords.write(wr);
      }
    }
  }

  const manifest: Manifest = { seed: o.seed, from: o.from, to: o.to, scale: o.scale, files: {} };
  for (const [key, w] of Object.entries(out) as [keyof typeof out, WithBadRows][]) {
    const { records, bad } = await w.close();
    manifest.files[w.writer.path.slice(o.out.length + 1)] = { entity: entityOf[key], records, bad };
  }
  // The catalogue is a snapshot: one JSON document { data: [...] }, with its own bad rows at the end.
  const services = catalogue.map(serviceJson);
  const badServices = BAD.services.map((c, i) => ({ c, r: c.apply(structuredClone(services[i * 7 % services.length]!)) }));
  await mkdir(join(o.out, 'public-service-portal'), { recursive: true });
  await writeFile(psp('services.json'), `${JSON.stringify({ data: [...services, ...badServices.map((b) => b.r)] }, null, 1)}\n`);
  manifest.files['public-service-portal/services.json'] = {
    entity: 'services',
    records: services.length + badServices.length,
    // In a JSON array the location is the 1-based index of the record.
    bad: badServices.map((b, i) => ({ location: services.length + i + 1, kind: b.c.kind, field: b.c.field })),
  };
  await writeFile(join(o.out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, scale: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, seed: { type: 'string' } },
  });
  const opts: GenerateOptions = {
    out: values.out ?? DEFAULTS.out,
    from: values.from ?? DEFAULTS.from,
    to: values.to ?? DEFAULTS.to,
    scale: values.scale !== undefined ? Number(values.scale) : DEFAULTS.scale,
    seed: values.seed ?? DEFAULTS.seed,
  };
  if (!(opts.scale > 0) || !/^\d{4}-\d{2}-\d{2}$/.test(opts.from) || !/^\d{4}-\d{2}-\d{2}$/.test(opts.to) || opts.from > opts.to) {
    process.stderr.write('usage: tsx infra/samples/generate.ts [--out DIR] [--scale N>0] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--seed TEXT]\n');
    process.exit(2);
  }
  const m = await generateSamples(opts);
  for (const [path, f] of Object.entries(m.files)) process.stdout.write(`${path}: ${f.records} records, ${f.bad.length} deliberately bad\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
