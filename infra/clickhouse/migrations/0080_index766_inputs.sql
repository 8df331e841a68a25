-- What the Decision 766 index needs from the one-stop-shop and the portal's catalogue (storage
-- contract A; INDEX766.md, SOURCES.md sections 1 and 3), written by the sink (services/sink/rows.ts)
-- from the canonical events (schemas/events.ts). Rows written before this migration read the
-- defaults: no component file, no national-repository component, no fee, no history; a catalogue
-- row without CoKetQuaGiay / ThoiHanGiaiQuyet reads NULL ("not exported"). Re-ingesting (or
-- `chiso replay`) fills them in: a dossier's latest version replaces the earlier one.
--
-- dossiers:
--   has_component_file           >= 1 TaiLieuNop with a non-empty TenTepDinhKem or DuocSoHoa (spreadsheet: "So hoa")
--   has_national_repo_component  >= 1 TaiLieuNop with DuocLayTuKhoDMQG
--   has_fee                      >= 1 DanhSachLePhi with Gia > 0
--   step_statuses, step_times    tienTrinhDongBo: TrangThai and ThoiDiemXuLy of each step, sorted by time, same length
-- services:
--   has_paper_result             CoKetQuaGiay
--   max_days                     ThoiHanGiaiQuyet, working days (Monday to Friday)
ALTER TABLE {db}.dossiers ADD COLUMN IF NOT EXISTS has_component_file Bool DEFAULT false;
ALTER TABLE {db}.dossiers ADD COLUMN IF NOT EXISTS has_national_repo_component Bool DEFAULT false;
ALTER TABLE {db}.dossiers ADD COLUMN IF NOT EXISTS has_fee Bool DEFAULT false;
ALTER TABLE {db}.dossiers ADD COLUMN IF NOT EXISTS step_statuses Array(UInt8) DEFAULT [];
ALTER TABLE {db}.dossiers ADD COLUMN IF NOT EXISTS step_times Array(DateTime64(3, 'Asia/Ho_Chi_Minh')) DEFAULT [];
ALTER TABLE {db}.services ADD COLUMN IF NOT EXISTS has_paper_result Nullable(Bool) DEFAULT NULL;
ALTER TABLE {db}.services ADD COLUMN IF NOT EXISTS max_days Nullable(UInt16) DEFAULT NULL;
