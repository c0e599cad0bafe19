//! The knowledge base's phrases as a spreadsheet: 分组 (the playbook's title), 编码, 标题 (the
//! phrase's `when`), 内容, 标签 and 文档 (the playbook's id). The column names are ones the
//! import recognises, so an export imports back as the same phrases.
//!
//! CSV is written in UTF-8 with a byte-order mark (Excel on Chinese Windows then reads it
//! right) or in GB18030 for tools that only read GBK; XLSX through `rust_xlsxwriter`.

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::content::{Document, Kind};
use crate::error::{Error, Result};
use crate::team::export::{inert, write_atomic};

/// The file format of a phrase export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PhraseFormat {
    /// CSV in UTF-8 with a byte-order mark.
    Csv,
    /// CSV in GB18030 (GBK-compatible), for tools that read nothing else.
    CsvGb18030,
    /// An Excel workbook.
    Xlsx,
}

impl PhraseFormat {
    /// The format a file name asks for: `.xlsx` → XLSX, anything else CSV (UTF-8 unless `gbk`).
    pub fn for_path(path: &Path, gbk: bool) -> PhraseFormat {
        let xlsx = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
        match (xlsx, gbk) {
            (true, _) => PhraseFormat::Xlsx,
            (false, true) => PhraseFormat::CsvGb18030,
            (false, false) => PhraseFormat::Csv,
        }
    }
}

/// The column headers (Chinese: they are what chat clients' phrase lists call them).
pub const HEADERS: [&str; 6] = ["分组", "编码", "标题", "内容", "标签", "文档"];

/// One row per phrase of every playbook, playbooks in id order, phrases as written.
pub fn rows<'a>(docs: impl Iterator<Item = &'a Document>) -> Vec<[String; 6]> {
    let mut playbooks: Vec<&Document> = docs
        .filter(|d| d.kind == Kind::Playbook && !d.phrases.is_empty())
        .collect();
    playbooks.sort_by(|a, b| a.id.cmp(&b.id));
    playbooks
        .into_iter()
        .flat_map(|d| {
            let tags = d.tags.join("、");
            d.phrases.iter().map(move |p| {
                [
                    d.title.clone(),
                    p.code.clone(),
                    p.when.clone(),
                    p.text.clone(),
                    tags.clone(),
                    d.id.clone(),
                ]
            })
        })
        .collect()
}

fn csv_text(rows: &[[String; 6]]) -> Result<String> {
    let err = |e: ::csv::Error| Error::Internal(format!("csv: {e}"));
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(HEADERS).map_err(err)?;
    for r in rows {
        w.write_record(r.iter().map(|c| inert(c))).map_err(err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::Internal(format!("csv: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Error::Internal(format!("csv: {e}")))
}

/// The bytes of an export.
pub fn bytes(rows: &[[String; 6]], format: PhraseFormat) -> Result<Vec<u8>> {
    match format {
        PhraseFormat::Csv => {
            let mut out = "\u{feff}".as_bytes().to_vec();
            out.extend(csv_text(rows)?.into_bytes());
            Ok(out)
        }
        PhraseFormat::CsvGb18030 => {
            // GB18030 encodes every Unicode character, emoji included: nothing is lost.
            let text = csv_text(rows)?;
            let (bytes, _, _) = encoding_rs::GB18030.encode(&text);
            Ok(bytes.into_owned())
        }
        PhraseFormat::Xlsx => {
            let err = |e: rust_xlsxwriter::XlsxError| Error::Internal(format!("xlsx: {e}"));
            let mut wb = Workbook::new();
            let ws = wb.add_worksheet();
            ws.set_name("短语").map_err(err)?;
            let bold = Format::new().set_bold();
            let wrap = Format::new().set_text_wrap();
            for (c, h) in HEADERS.iter().enumerate() {
                ws.write_with_format(0, c as u16, *h, &bold).map_err(err)?;
            }
            for (r, row) in rows.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    // Strings are written as strings: a phrase starting with = is never a formula.
                    ws.write_string_with_format(r as u32 + 1, c as u16, v, &wrap)
                        .map_err(err)?;
                }
            }
            for (c, w) in [16.0, 10.0, 24.0, 60.0, 16.0, 24.0].iter().enumerate() {
                ws.set_column_width(c as u16, *w).map_err(err)?;
            }
            ws.set_freeze_panes(1, 0).map_err(err)?;
            wb.save_to_buffer().map_err(err)
        }
    }
}

/// Writes the export to `path` (through a temporary file); returns the number of phrases.
pub fn write<'a>(
    docs: impl Iterator<Item = &'a Document>,
    format: PhraseFormat,
    path: &Path,
) -> Result<usize> {
    let rows = rows(docs);
    write_atomic(path, &bytes(&rows, format)?)?;
    Ok(rows.len())
}
