//! The lead's matrix for the weekly report: CSV (the `csv` crate, with a UTF-8 byte-order mark
//! so that Excel reads the Chinese right) and XLSX (`rust_xlsxwriter`: a maintained writer of
//! real Excel files, cells coloured against the team average as in the app).

use std::path::Path;

use rust_xlsxwriter::{Color, Format, Workbook};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::view::{Cell, Standing, TeamView};
use crate::error::{Error, Result};
use crate::settings::Language;

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportFormat {
    /// Comma-separated values, one row per agent and category.
    Csv,
    /// An Excel workbook: matrix, details, findings.
    Xlsx,
}

fn headers(lang: Language) -> [&'static str; 15] {
    match lang {
        Language::Zh => [
            "客服编号",
            "姓名",
            "分类",
            "平均得分",
            "团队平均得分",
            "得分对比",
            "首次响应(秒)",
            "团队首次响应(秒)",
            "响应对比",
            "字/分",
            "团队字/分",
            "打字对比",
            "近7天练习",
            "近30天练习",
            "练习总数",
        ],
        Language::En => [
            "agent_id",
            "name",
            "category",
            "score",
            "team_score",
            "score_vs_team",
            "first_response_s",
            "team_first_response_s",
            "response_vs_team",
            "cpm",
            "team_cpm",
            "cpm_vs_team",
            "attempts_7d",
            "attempts_30d",
            "attempts",
        ],
    }
}

fn standing(s: Standing, lang: Language) -> &'static str {
    match (s, lang) {
        (Standing::Better, Language::Zh) => "优于团队",
        (Standing::Same, Language::Zh) => "持平",
        (Standing::Worse, Language::Zh) => "低于团队",
        (Standing::None, Language::Zh) => "",
        (Standing::Better, Language::En) => "better",
        (Standing::Same, Language::En) => "same",
        (Standing::Worse, Language::En) => "worse",
        (Standing::None, Language::En) => "",
    }
}

fn all_label(lang: Language) -> &'static str {
    match lang {
        Language::Zh => "全部",
        Language::En => "all",
    }
}

fn num(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}")).unwrap_or_default()
}

/// The detail rows: each agent's overall cell, then one per category practised.
fn detail_rows(view: &TeamView, lang: Language) -> Vec<[String; 15]> {
    let mut out = Vec::new();
    for a in &view.agents {
        let mut cells: Vec<(&str, &Cell, &Cell)> =
            vec![(all_label(lang), &a.overall, &view.team_overall)];
        for (i, c) in a.cells.iter().enumerate() {
            if let (Some(c), Some(t)) = (c, view.team_cells.get(i)) {
                cells.push((view.categories[i].as_str(), c, t));
            }
        }
        for (cat, c, t) in cells {
            out.push([
                a.id.clone(),
                a.name.clone(),
                cat.to_string(),
                num(c.score),
                num(t.score),
                standing(c.score_vs, lang).to_string(),
                num(c.first_response_s),
                num(t.first_response_s),
                standing(c.response_vs, lang).to_string(),
                num(c.cpm),
                num(t.cpm),
                standing(c.cpm_vs, lang).to_string(),
                c.attempts_7d.to_string(),
                c.attempts_30d.to_string(),
                c.attempts.to_string(),
            ]);
        }
    }
    out
}

/// A cell as a spreadsheet will not run it: text starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return gets a leading `'` (names and categories come from anyone's results file).
pub(crate) fn inert(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.parse::<f64>().is_err() {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// The CSV text (with a byte-order mark).
pub fn csv(view: &TeamView, lang: Language) -> Result<Vec<u8>> {
    let mut w = ::csv::Writer::from_writer(Vec::from("\u{feff}".as_bytes()));
    let err = |e: ::csv::Error| Error::Internal(format!("csv: {e}"));
    w.write_record(headers(lang)).map_err(err)?;
    for row in detail_rows(view, lang) {
        w.write_record(row.iter().map(|c| inert(c))).map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| Error::Internal(format!("csv: {e}")))
}

fn fill(s: Standing) -> Option<Format> {
    let color = match s {
        Standing::Better => 0xC6EFCE,
        Standing::Worse => 0xFFC7CE,
        _ => return None,
    };
    Some(Format::new().set_background_color(Color::RGB(color)))
}

/// The XLSX workbook's bytes.
pub fn xlsx(view: &TeamView, lang: Language) -> Result<Vec<u8>> {
    let zh = lang == Language::Zh;
    let err = |e: rust_xlsxwriter::XlsxError| Error::Internal(format!("xlsx: {e}"));
    let bold = Format::new().set_bold();
    let mut wb = Workbook::new();
    {
        let ws = wb.add_worksheet();
        ws.set_name(if zh { "矩阵" } else { "Matrix" })
            .map_err(err)?;
        let mut head: Vec<String> = vec![
            if zh { "姓名" } else { "Name" }.into(),
            if zh { "总体得分" } else { "Score" }.into(),
            if zh {
                "首次响应(秒)"
            } else {
                "First response (s)"
            }
            .into(),
            if zh { "字/分" } else { "Chars/min" }.into(),
            if zh { "近7天练习" } else { "Attempts 7 d" }.into(),
            if zh {
                "近30天练习"
            } else {
                "Attempts 30 d"
            }
            .into(),
        ];
        head.extend(view.categories.iter().cloned());
        for (c, h) in head.iter().enumerate() {
            ws.write_with_format(0, c as u16, h.as_str(), &bold)
                .map_err(err)?;
        }
        ws.set_column_width(0, 14).map_err(err)?;
        let put =
            |ws: &mut rust_xlsxwriter::Worksheet, r: u32, c: u16, v: Option<f64>, s: Standing| {
                match (v, fill(s)) {
                    (Some(v), Some(f)) => ws.write_number_with_format(r, c, v, &f).map(|_| ()),
                    (Some(v), None) => ws.write_number(r, c, v).map(|_| ()),
                    (None, _) => Ok(()),
                }
            };
        let mut r = 1u32;
        for a in &view.agents {
            ws.write(r, 0, a.name.as_str()).map_err(err)?;
            let o = &a.overall;
            put(ws, r, 1, o.score, o.score_vs).map_err(err)?;
            put(ws, r, 2, o.first_response_s, o.response_vs).map_err(err)?;
            put(ws, r, 3, o.cpm, o.cpm_vs).map_err(err)?;
            put(ws, r, 4, Some(f64::from(o.attempts_7d)), Standing::None).map_err(err)?;
            put(ws, r, 5, Some(f64::from(o.attempts_30d)), o.practice_vs).map_err(err)?;
            for (i, c) in a.cells.iter().enumerate() {
                if let Some(c) = c {
                    put(ws, r, 6 + i as u16, c.score, c.score_vs).map_err(err)?;
                }
            }
            r += 1;
        }
        ws.write_with_format(r, 0, if zh { "团队平均" } else { "Team average" }, &bold)
            .map_err(err)?;
        let t = &view.team_overall;
        put(ws, r, 1, t.score, Standing::None).map_err(err)?;
        put(ws, r, 2, t.first_response_s, Standing::None).map_err(err)?;
        put(ws, r, 3, t.cpm, Standing::None).map_err(err)?;
        put(ws, r, 4, Some(f64::from(t.attempts_7d)), Standing::None).map_err(err)?;
        put(ws, r, 5, Some(f64::from(t.attempts_30d)), Standing::None).map_err(err)?;
        for (i, c) in view.team_cells.iter().enumerate() {
            put(ws, r, 6 + i as u16, c.score, Standing::None).map_err(err)?;
        }
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name(if zh { "明细" } else { "Details" })
            .map_err(err)?;
        for (c, h) in headers(lang).iter().enumerate() {
            ws.write_with_format(0, c as u16, *h, &bold).map_err(err)?;
        }
        for (r, row) in detail_rows(view, lang).iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match v.parse::<f64>() {
                    Ok(n) if c >= 3 => ws.write_number(r, c, n).map(|_| ()),
                    _ => ws.write(r, c, v.as_str()).map(|_| ()),
                }
                .map_err(err)?;
            }
        }
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name(if zh { "发现" } else { "Findings" })
            .map_err(err)?;
        ws.set_column_width(0, 80).map_err(err)?;
        ws.write_with_format(0, 0, if zh { "发现" } else { "Finding" }, &bold)
            .map_err(err)?;
        ws.write_with_format(
            0,
            1,
            if zh {
                "建议练习"
            } else {
                "Suggested drills"
            },
            &bold,
        )
        .map_err(err)?;
        for (r, f) in view.findings.iter().enumerate() {
            let text = if zh { &f.text_zh } else { &f.text_en };
            let drills: Vec<&str> = f.drills.iter().map(|d| d.title.as_str()).collect();
            ws.write(r as u32 + 1, 0, text.as_str()).map_err(err)?;
            ws.write(r as u32 + 1, 1, drills.join("、")).map_err(err)?;
        }
    }
    wb.save_to_buffer().map_err(err)
}

/// Writes the export to `path` (creating or replacing that one file, atomically: a temporary
/// file beside it, then renamed, so a failed export never leaves half a report).
pub fn write(view: &TeamView, format: ExportFormat, lang: Language, path: &Path) -> Result<()> {
    let bytes = match format {
        ExportFormat::Csv => csv(view, lang)?,
        ExportFormat::Xlsx => xlsx(view, lang)?,
    };
    write_atomic(path, &bytes)
}

/// Writes `bytes` to `path` through a temporary file beside it, so that a reader (Excel with
/// the old file open, a sync) never sees half a file.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    let tmp = path.with_file_name(format!(".{name}.kefu-tmp"));
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn formulas_in_names_stay_text() {
        assert_eq!(super::inert("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(super::inert("+cmd"), "'+cmd");
        assert_eq!(super::inert("-12.5"), "-12.5", "numbers stay numbers");
        assert_eq!(super::inert("小红"), "小红");
    }
}
