//! Reading an exported phrase list into rows of text cells: CSV/TSV in UTF-8, UTF-16 or
//! GB18030 (exports from Chinese Windows are often GBK), and XLSX/XLS/ODS through `calamine`
//! (a maintained pure-Rust reader of every Excel format, old binary `.xls` included).
//!
//! The format is taken from the bytes, not the name: a `.xls` that is really a tab-separated
//! text file (some back-office exports are) is read as text.

use std::io::Cursor;

use calamine::{Data, Reader};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

/// Files larger than this are refused (50 MB: a 10,000-phrase sheet is well under 5 MB).
pub const MAX_IMPORT_BYTES: u64 = 50 * 1024 * 1024;
/// Rows beyond this are refused rather than read into memory.
pub const MAX_ROWS: usize = 200_000;

/// What kind of file an import read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SourceFormat {
    /// Comma-separated text.
    Csv,
    /// Tab-separated text (Excel's "Unicode text", many back-office exports).
    Tsv,
    /// Semicolon-separated text.
    Ssv,
    /// A spreadsheet (XLSX, XLSM, XLS, XLSB or ODS).
    Spreadsheet,
}

/// The character encoding of a text export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SourceEncoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark (what Excel writes for "CSV UTF-8").
    Utf8Bom,
    /// UTF-16 little-endian with a byte-order mark (Excel's "Unicode text").
    Utf16le,
    /// UTF-16 big-endian with a byte-order mark.
    Utf16be,
    /// GB18030, which includes GBK and GB2312.
    Gb18030,
}

/// One row as read: its line (text files: the line the record starts on; spreadsheets: the
/// sheet's row number), and its cells, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// 1-based line or row number, as the user's editor or Excel shows it.
    pub line: usize,
    /// The cells, trimmed; a missing cell is an empty string.
    pub cells: Vec<String>,
}

/// A file read into rows.
#[derive(Debug, Clone)]
pub struct Table {
    /// Text or spreadsheet.
    pub format: SourceFormat,
    /// The text encoding (text files only).
    pub encoding: Option<SourceEncoding>,
    /// Every sheet's name (spreadsheets only).
    pub sheets: Vec<String>,
    /// The sheet read (spreadsheets only).
    pub sheet: Option<String>,
    /// Rows in file order, empty rows included.
    pub rows: Vec<Row>,
}

impl Table {
    /// The number of columns (the widest row).
    pub fn width(&self) -> usize {
        self.rows.iter().map(|r| r.cells.len()).max().unwrap_or(0)
    }
}

fn bad(file: &str, why: impl std::fmt::Display) -> Error {
    Error::InvalidInput(format!("{file}: {why}"))
}

/// Reads `bytes` (the file named `file`, for messages). `sheet` picks a spreadsheet's sheet;
/// by default the first one with any data.
pub fn read(file: &str, bytes: &[u8], sheet: Option<&str>) -> Result<Table> {
    if bytes.len() as u64 > MAX_IMPORT_BYTES {
        return Err(bad(
            file,
            format!(
                "{} MB is more than an import reads ({} MB)",
                bytes.len() / (1024 * 1024),
                MAX_IMPORT_BYTES / (1024 * 1024)
            ),
        ));
    }
    // ZIP (xlsx, xlsm, xlsb, ods) or OLE compound file (xls).
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return read_spreadsheet(file, bytes, sheet);
    }
    let (text, encoding) = decode(file, bytes)?;
    let trimmed = text.trim_start();
    let opens = |tag: &str| {
        trimmed
            .get(..tag.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(tag))
    };
    if opens("<html") || opens("<!doctype") || opens("<table") {
        return Err(bad(
            file,
            "is a web page saved under a spreadsheet's name; open it in Excel or WPS and save it as .xlsx or CSV",
        ));
    }
    read_text(file, &text, encoding)
}

/// The text of a text export and its encoding: a byte-order mark decides; otherwise UTF-8 when
/// the bytes are valid UTF-8, else GB18030 when they decode without errors.
fn decode(file: &str, bytes: &[u8]) -> Result<(String, SourceEncoding)> {
    let (text, enc) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        let t = std::str::from_utf8(rest)
            .map_err(|e| bad(file, format!("has a UTF-8 mark but is not UTF-8 ({e})")))?;
        (t.to_string(), SourceEncoding::Utf8Bom)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        let (t, had_errors) = encoding_rs::UTF_16LE.decode_without_bom_handling(rest);
        if had_errors {
            return Err(bad(file, "has a UTF-16 mark but is not UTF-16"));
        }
        (t.into_owned(), SourceEncoding::Utf16le)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        let (t, had_errors) = encoding_rs::UTF_16BE.decode_without_bom_handling(rest);
        if had_errors {
            return Err(bad(file, "has a UTF-16 mark but is not UTF-16"));
        }
        (t.into_owned(), SourceEncoding::Utf16be)
    } else if bytes[..bytes.len().min(8192)].contains(&0) {
        return Err(bad(
            file,
            "is neither a spreadsheet nor a text export (it holds binary data)",
        ));
    } else if let Ok(t) = std::str::from_utf8(bytes) {
        (t.to_string(), SourceEncoding::Utf8)
    } else {
        let (t, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
        if had_errors {
            return Err(bad(
                file,
                "is neither UTF-8 nor GB18030/GBK text; save it from Excel as \"CSV UTF-8\" or .xlsx",
            ));
        }
        (t.into_owned(), SourceEncoding::Gb18030)
    };
    Ok((text, enc))
}

/// The separator of a text export: tab when most of the first lines have one, else comma when
/// they have commas, else semicolon when they have those (a one-column file is comma-separated).
fn separator(text: &str) -> (u8, SourceFormat) {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    let share = |c: char| lines.iter().filter(|l| l.contains(c)).count() * 2 >= lines.len().max(1);
    if share('\t') {
        (b'\t', SourceFormat::Tsv)
    } else if share(',') || !share(';') {
        (b',', SourceFormat::Csv)
    } else {
        (b';', SourceFormat::Ssv)
    }
}

fn read_text(file: &str, text: &str, encoding: SourceEncoding) -> Result<Table> {
    // One line ending, so that line numbers count as an editor does (the csv reader's count is
    // one short after a CRLF-terminated first record).
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.as_str();
    let (sep, format) = separator(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sep)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            bad(file, format!("line {line}: {e}"))
        })?;
        if rows.len() >= MAX_ROWS {
            return Err(bad(file, format!("has more than {MAX_ROWS} rows")));
        }
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        rows.push(Row {
            line,
            cells: rec.iter().map(|c| clean_cell(unquote_formula(c))).collect(),
        });
    }
    Ok(Table {
        format,
        encoding: Some(encoding),
        sheets: Vec::new(),
        sheet: None,
        rows,
    })
}

fn read_spreadsheet(file: &str, bytes: &[u8], sheet: Option<&str>) -> Result<Table> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|e| bad(file, format!("cannot be read as a spreadsheet ({e})")))?;
    let sheets = book.sheet_names().to_vec();
    if sheets.is_empty() {
        return Err(bad(file, "has no sheets"));
    }
    let names: Vec<String> = match sheet {
        Some(s) if sheets.iter().any(|n| n == s) => vec![s.to_string()],
        Some(s) => {
            return Err(bad(
                file,
                format!("has no sheet `{s}` (its sheets: {})", sheets.join(", ")),
            ));
        }
        None => sheets.clone(),
    };
    for name in names {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| bad(file, format!("sheet `{name}` cannot be read ({e})")))?;
        if range.is_empty() && sheet.is_none() {
            continue;
        }
        if range.height() > MAX_ROWS {
            return Err(bad(
                file,
                format!("sheet `{name}` has more than {MAX_ROWS} rows"),
            ));
        }
        // Row numbers as Excel shows them: the used range may start below row 1.
        let (first_row, first_col) = range.start().unwrap_or((0, 0));
        let rows = range
            .rows()
            .enumerate()
            .map(|(i, r)| {
                let mut cells: Vec<String> = vec![String::new(); first_col as usize];
                cells.extend(r.iter().map(cell_text));
                Row {
                    line: first_row as usize + i + 1,
                    cells,
                }
            })
            .collect();
        return Ok(Table {
            format: SourceFormat::Spreadsheet,
            encoding: None,
            sheets,
            sheet: Some(name),
            rows,
        });
    }
    Err(bad(file, "has no data in any sheet"))
}

/// A cell's text: numbers without a spurious `.0` (a code typed as 1 is `1`), errors empty.
fn cell_text(d: &Data) -> String {
    let s = match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    };
    clean_cell(&s)
}

/// A CSV cell written formula-safe (`'=…`, as Kefu's own exports do) without its guard.
fn unquote_formula(c: &str) -> &str {
    match c.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => c,
    }
}

/// Trimmed, line endings normalised, control characters other than newline and tab removed,
/// and Unicode line/paragraph separators turned into newlines.
pub(crate) fn clean_cell(s: &str) -> String {
    let s = s.replace("\r\n", "\n");
    let cleaned: String = s
        .chars()
        .filter_map(|c| match c {
            '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' => Some('\n'),
            '\n' | '\t' => Some(c),
            '\u{feff}' => None,
            c if c.is_control() => None,
            // Bidirectional overrides would make a phrase read differently than it is.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => None,
            c => Some(c),
        })
        .collect();
    cleaned.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(t: &Table) -> Vec<Vec<String>> {
        t.rows.iter().map(|r| r.cells.clone()).collect()
    }

    #[test]
    fn utf8_csv_with_quoted_newlines_keeps_the_start_line() {
        let t = read(
            "a.csv",
            "分组,内容\n售前,\"你好\n亲\"\n售后,再见\n".as_bytes(),
            None,
        )
        .expect("read");
        let crlf = read(
            "b.csv",
            "标题\r\n分组,内容\r\n售后,再见\r\n".as_bytes(),
            None,
        )
        .expect("crlf");
        assert_eq!(
            crlf.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert_eq!(t.format, SourceFormat::Csv);
        assert_eq!(t.encoding, Some(SourceEncoding::Utf8));
        assert_eq!(cells(&t)[1], vec!["售前", "你好\n亲"]);
        assert_eq!(t.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [1, 2, 4]);
    }

    #[test]
    fn gbk_and_bom_and_utf16_are_told_apart() {
        let (gbk, _, _) = encoding_rs::GBK.encode("分组,内容\n售后,亲，稍等\n");
        let t = read("gbk.csv", &gbk, None).expect("gbk");
        assert_eq!(t.encoding, Some(SourceEncoding::Gb18030));
        assert_eq!(cells(&t)[1], vec!["售后", "亲，稍等"]);

        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend("内容\n你好\n".as_bytes());
        let t = read("bom.csv", &bom, None).expect("bom");
        assert_eq!(t.encoding, Some(SourceEncoding::Utf8Bom));
        assert_eq!(cells(&t)[0], vec!["内容"]);

        let mut utf16 = vec![0xFF, 0xFE];
        for u in "编码\t内容\r\nkd\t快递\r\n".encode_utf16() {
            utf16.extend(u.to_le_bytes());
        }
        let t = read("u.txt", &utf16, None).expect("utf16");
        assert_eq!(t.encoding, Some(SourceEncoding::Utf16le));
        assert_eq!(t.format, SourceFormat::Tsv);
        assert_eq!(cells(&t)[1], vec!["kd", "快递"]);
    }

    #[test]
    fn binary_html_and_garbage_are_refused_with_the_file_name() {
        for (bytes, needle) in [
            (&b"\x89PNG\r\n\x1a\n\0\0\0"[..], "binary"),
            (
                &b"<html><table><tr><td>1</td></tr></table></html>"[..],
                "web page",
            ),
            (&b"\xFF\xFF\xFF,\xFF"[..], "GB18030"),
        ] {
            let e = read("x.xls", bytes, None).expect_err("refused");
            let m = e.to_string();
            assert!(m.contains("x.xls") && m.contains(needle), "{m}");
        }
        let huge = vec![b'a'; MAX_IMPORT_BYTES as usize + 1];
        assert!(read("big.csv", &huge, None).is_err());
    }

    #[test]
    fn cells_lose_control_and_bidi_characters() {
        assert_eq!(
            clean_cell(" a\u{0007}b\u{202e}c\r\nd\u{2028}e "),
            "abc\nd\ne"
        );
    }

    #[test]
    fn a_spreadsheet_is_read_with_excel_row_numbers() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("短语").expect("name");
        ws.write(2, 1, "分组").expect("w");
        ws.write(2, 2, "编码").expect("w");
        ws.write(3, 1, "售后").expect("w");
        ws.write(3, 2, 12).expect("w");
        let bytes = wb.save_to_buffer().expect("save");
        let t = read("a.xlsx", &bytes, None).expect("read");
        assert_eq!(t.format, SourceFormat::Spreadsheet);
        assert_eq!(t.sheet.as_deref(), Some("短语"));
        assert_eq!(t.rows[0].line, 3);
        assert_eq!(t.rows[1].cells, vec!["", "售后", "12"]);
        let e = read("a.xlsx", &bytes, Some("Sheet9")).expect_err("no sheet");
        assert!(e.to_string().contains("短语"));
    }
}
