//! Import and export of quick phrases (快捷短语) in the spreadsheets teams already keep: 千牛 and
//! 易歪歪 exports, or a team lead's own sheet.
//!
//! An import is two steps. [`preview`] reads the file, guesses what each column is, finds
//! placeholders in other tools' styles, code clashes and rows it cannot use, and plans the new
//! playbooks (one per group), each parsed back by the loader. Nothing is written. [`apply`] plans
//! again with the choices the user confirmed and writes only new files: an existing file is never
//! touched, and a failure part-way removes what this import wrote.
//!
//! [`export`] writes the knowledge base's phrases back out (CSV in UTF-8 with a BOM or
//! GB18030, or XLSX) so a team can keep its chat client's phrase list in step with Kefu.

pub mod columns;
pub mod export;
pub mod placeholders;
pub mod table;
mod write;

use std::collections::{BTreeSet, HashMap};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use columns::ColumnRole;
pub use placeholders::PlaceholderToken;
pub use table::{SourceEncoding, SourceFormat};

use crate::content::{self, Document, Severity};
use crate::error::{Error, Result};
use write::{FileMeta, OutPhrase};

/// Where imported playbooks go by default, relative to the content folder.
pub const DEFAULT_FOLDER: &str = "playbooks/imported";
/// Phrases per file: a bigger group is split into parts (a file stays reviewable).
pub const PHRASES_PER_FILE: usize = 400;
/// A phrase longer than this is skipped (nobody sends 5,000 characters in a chat).
pub const MAX_PHRASE_CHARS: usize = 5_000;
/// Rows shown as samples per column in the preview.
const SAMPLES: usize = 3;

/// What to do with a phrase whose code is already taken.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ClashPolicy {
    /// Import it with its code (typing the code then shows both phrases); a second use of a
    /// code inside one group is imported without the code, since a playbook's codes are unique.
    #[default]
    Keep,
    /// Leave the phrase out.
    Skip,
}

/// An import as the user set it up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportRequest {
    /// The file to import (an absolute path).
    pub path: String,
    /// The sheet of a spreadsheet; the first with data by default.
    #[serde(default)]
    #[ts(optional)]
    pub sheet: Option<String>,
    /// One role per column, as confirmed in the preview; guessed when absent.
    #[serde(default)]
    #[ts(optional)]
    pub roles: Option<Vec<ColumnRole>>,
    /// The tokens to turn into `{{name}}` placeholders; the suggested ones when absent.
    #[serde(default)]
    #[ts(optional)]
    pub convert: Option<Vec<String>>,
    /// Clashing codes: keep (default) or skip the phrase.
    #[serde(default)]
    pub on_clash: ClashPolicy,
    /// Folder for the new files, relative to the content folder (default `playbooks/imported`).
    #[serde(default)]
    #[ts(optional)]
    pub folder: Option<String>,
}

/// A column of the source and what it was taken for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportColumn {
    /// 0-based column index.
    pub index: u32,
    /// The header as written (empty without a header row).
    pub header: String,
    /// The role in force (guessed or chosen).
    pub role: ColumnRole,
    /// Its cells in the first few data rows (the same rows for every column; empty cells kept).
    pub samples: Vec<String>,
}

/// Why a row is not imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SkipReason {
    /// The content cell is empty.
    NoContent,
    /// The code is taken and the policy is to skip.
    CodeClash,
    /// The text is longer than a chat phrase can be.
    TooLong,
    /// The same group, code and text as an earlier row.
    Duplicate,
}

/// A row left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SkippedRow {
    /// Line (text) or row (spreadsheet) number.
    pub line: u32,
    /// Why.
    pub reason: SkipReason,
}

/// What happened to a phrase whose code was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ClashAction {
    /// Imported with the code.
    Kept,
    /// Imported without the code (the code is used earlier in the same group).
    CodeDropped,
    /// Not imported.
    Skipped,
}

/// A code that is taken already: by a document of the knowledge base or an earlier row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CodeClash {
    /// The code.
    pub code: String,
    /// The row with the clashing code.
    pub line: u32,
    /// Its group.
    pub group: String,
    /// The document that has the code, if it is in the knowledge base.
    pub document: Option<String>,
    /// That document's title.
    pub document_title: Option<String>,
    /// The earlier row of this import that has it.
    pub earlier_line: Option<u32>,
    /// What the import does.
    pub action: ClashAction,
}

/// A placeholder-like token and whether it will be converted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PlaceholderChoice {
    /// The token, its name, count and whether it is suggested.
    pub found: PlaceholderToken,
    /// Converted in this import.
    pub convert: bool,
}

/// A file the import writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PlannedFile {
    /// Path relative to the content folder.
    pub path: String,
    /// The playbook's title.
    pub title: String,
    /// The group as in the source.
    pub group: String,
    /// Phrases in it.
    pub phrases: u32,
    /// The whole file text.
    pub text: String,
}

/// Why an import cannot go ahead as set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ImportBlocker {
    /// No column is the content.
    NoContentColumn,
    /// Every row was left out.
    NothingToImport,
}

/// What an import would do (nothing is written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportPreview {
    /// The file's name.
    pub file: String,
    /// Text or spreadsheet.
    pub format: SourceFormat,
    /// A text file's encoding.
    pub encoding: Option<SourceEncoding>,
    /// A spreadsheet's sheets, and the one read.
    pub sheets: Vec<String>,
    /// The sheet read.
    pub sheet: Option<String>,
    /// The header's line or row number, if one was found.
    pub header_line: Option<u32>,
    /// Every column and its role.
    pub columns: Vec<ImportColumn>,
    /// Data rows that are not empty.
    pub rows: u32,
    /// Phrases that will be imported.
    pub phrases: u32,
    /// Rows left out.
    pub skipped: Vec<SkippedRow>,
    /// Codes already taken.
    pub clashes: Vec<CodeClash>,
    /// Placeholder-like tokens and the choice for each.
    pub placeholders: Vec<PlaceholderChoice>,
    /// Image links kept.
    pub images: u32,
    /// The folder the files go to.
    pub folder: String,
    /// The files, in group order.
    pub files: Vec<PlannedFile>,
    /// What stops the import, if anything.
    pub blocker: Option<ImportBlocker>,
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportOutcome {
    /// The files written, relative to the content folder.
    pub written: Vec<String>,
    /// Phrases imported.
    pub phrases: u32,
}

/// What the import needs from the knowledge base and the user's session.
pub struct Context<'a> {
    /// The content folder.
    pub content_dir: &'a Path,
    /// Its documents (for code clashes).
    pub documents: Vec<&'a Document>,
    /// Author for the new files.
    pub author: Option<&'a str>,
    /// Today.
    pub today: NaiveDate,
}

/// A row turned into a phrase, before files are planned.
struct Pending {
    line: usize,
    group: String,
    tags: Vec<String>,
    phrase: OutPhrase,
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// The folder, checked: relative, inside the content folder, no `..`, not hidden.
fn folder_of(req: &ImportRequest) -> Result<String> {
    let f = req
        .folder
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .unwrap_or(DEFAULT_FOLDER)
        .replace('\\', "/");
    let absolute = f.starts_with('/');
    let f = f.trim_end_matches('/').to_string();
    let ok = !absolute
        && !f.is_empty()
        && !f.contains(':')
        && f.split('/')
            .all(|p| !p.is_empty() && p != ".." && p != "." && !p.starts_with('.'));
    if ok {
        Ok(f)
    } else {
        Err(Error::InvalidInput(format!(
            "import folder `{f}` must be a folder inside the content folder"
        )))
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(Error::InvalidInput(format!(
            "{} is not a file",
            path.display()
        )));
    }
    if meta.len() > table::MAX_IMPORT_BYTES {
        return Err(Error::InvalidInput(format!(
            "{}: {} MB is more than an import reads ({} MB)",
            file_name(path),
            meta.len() / (1024 * 1024),
            table::MAX_IMPORT_BYTES / (1024 * 1024)
        )));
    }
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

/// Reads the file and plans the import. Nothing is written.
pub fn preview(ctx: &Context<'_>, req: &ImportRequest) -> Result<ImportPreview> {
    let path = PathBuf::from(&req.path);
    let bytes = read_file(&path)?;
    preview_bytes(ctx, req, &file_name(&path), &bytes)
}

/// [`preview`] of bytes already read (`file` names them in messages and the new files).
pub fn preview_bytes(
    ctx: &Context<'_>,
    req: &ImportRequest,
    file: &str,
    bytes: &[u8],
) -> Result<ImportPreview> {
    let folder = folder_of(req)?;
    let table = pick_sheet(file, bytes, req.sheet.as_deref())?;
    let width = table.width();
    let guess = columns::guess(&table);
    let roles = match &req.roles {
        Some(r) if r.len() == width => r.clone(),
        Some(r) => {
            return Err(Error::InvalidInput(format!(
                "{file} has {width} columns; {} roles were given",
                r.len()
            )));
        }
        None => guess.roles.clone(),
    };
    let data_start = guess.header.map_or(0, |h| h + 1);
    let header_row = guess.header.map(|h| &table.rows[h]);
    let data = &table.rows[data_start..];
    // The first few rows with any text, the same rows in every column (so they read as rows).
    let sample_rows: Vec<&table::Row> = data
        .iter()
        .filter(|r| r.cells.iter().any(|c| !c.is_empty()))
        .take(SAMPLES)
        .collect();
    let columns: Vec<ImportColumn> = (0..width)
        .map(|c| ImportColumn {
            index: c as u32,
            header: header_row
                .and_then(|r| r.cells.get(c).cloned())
                .unwrap_or_default(),
            role: roles[c],
            samples: sample_rows
                .iter()
                .map(|r| {
                    r.cells
                        .get(c)
                        .map(|s| s.chars().take(60).collect())
                        .unwrap_or_default()
                })
                .collect(),
        })
        .collect();
    let mut preview = ImportPreview {
        file: file.to_string(),
        format: table.format,
        encoding: table.encoding,
        sheets: table.sheets.clone(),
        sheet: table.sheet.clone(),
        header_line: header_row.map(|r| r.line as u32),
        columns,
        rows: data
            .iter()
            .filter(|r| r.cells.iter().any(|c| !c.is_empty()))
            .count() as u32,
        phrases: 0,
        skipped: Vec::new(),
        clashes: Vec::new(),
        placeholders: Vec::new(),
        images: 0,
        folder: folder.clone(),
        files: Vec::new(),
        blocker: None,
    };
    let Some(content_col) = roles.iter().position(|r| *r == ColumnRole::Content) else {
        preview.blocker = Some(ImportBlocker::NoContentColumn);
        return Ok(preview);
    };
    let default_group = Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "导入的短语".into());
    let mut pending = rows_to_phrases(data, &roles, content_col, &default_group, &mut preview);

    // Placeholders: found in every text, converted as chosen.
    let found = placeholders::survey(pending.iter().map(|p| p.phrase.text.as_str()));
    let chosen: Vec<PlaceholderToken> = found
        .iter()
        .filter(|t| match &req.convert {
            Some(list) => list.contains(&t.token),
            None => t.suggested,
        })
        .cloned()
        .collect();
    preview.placeholders = found
        .into_iter()
        .map(|t| PlaceholderChoice {
            convert: chosen.iter().any(|c| c.token == t.token),
            found: t,
        })
        .collect();
    for p in &mut pending {
        p.phrase.text = placeholders::convert(&p.phrase.text, &chosen);
    }

    let pending = resolve_clashes(ctx, pending, req.on_clash, &mut preview);
    preview.phrases = pending.len() as u32;
    if pending.is_empty() {
        preview.blocker = Some(ImportBlocker::NothingToImport);
        return Ok(preview);
    }
    preview.files = plan_files(ctx, &folder, file, pending, &mut preview.images)?;
    Ok(preview)
}

/// The table to import: the sheet asked for; by default, of a workbook's sheets the first whose
/// header names a content column (a notes sheet often comes first), else the first with data.
fn pick_sheet(file: &str, bytes: &[u8], sheet: Option<&str>) -> Result<table::Table> {
    let first = table::read(file, bytes, sheet)?;
    if sheet.is_some() || first.sheets.len() < 2 {
        return Ok(first);
    }
    for name in &first.sheets {
        let Ok(t) = table::read(file, bytes, Some(name)) else {
            continue;
        };
        let g = columns::guess(&t);
        if g.header.is_some() && g.roles.contains(&ColumnRole::Content) {
            return Ok(t);
        }
    }
    Ok(first)
}

/// Rows into phrases: groups filled down (a merged cell is read as its first row only), tags
/// split, HTML line breaks and image tags turned into text and links; empty, too long and
/// repeated rows left out.
fn rows_to_phrases(
    data: &[table::Row],
    roles: &[ColumnRole],
    content_col: usize,
    default_group: &str,
    preview: &mut ImportPreview,
) -> Vec<Pending> {
    let group_cols: Vec<usize> = (0..roles.len())
        .filter(|c| roles[*c] == ColumnRole::Group)
        .collect();
    let col = |role: ColumnRole| roles.iter().position(|r| *r == role);
    let (code_col, title_col) = (col(ColumnRole::Code), col(ColumnRole::Title));
    let tag_cols: Vec<usize> = (0..roles.len())
        .filter(|c| roles[*c] == ColumnRole::Tags)
        .collect();
    let mut groups: Vec<String> = vec![String::new(); group_cols.len()];
    let mut seen: BTreeSet<(String, String, String)> = BTreeSet::new();
    let mut out = Vec::new();
    for row in data {
        if row.cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        let cell = |c: usize| row.cells.get(c).map(String::as_str).unwrap_or("");
        // Fill down, level by level: a new first-level group resets the levels below it.
        for (level, c) in group_cols.iter().enumerate() {
            let v = cell(*c);
            if !v.is_empty() {
                groups[level] = v.to_string();
                for lower in groups.iter_mut().skip(level + 1) {
                    lower.clear();
                }
            }
        }
        let text = html_to_text(cell(content_col));
        let line = row.line as u32;
        if text.is_empty() {
            preview.skipped.push(SkippedRow {
                line,
                reason: SkipReason::NoContent,
            });
            continue;
        }
        if text.chars().count() > MAX_PHRASE_CHARS {
            preview.skipped.push(SkippedRow {
                line,
                reason: SkipReason::TooLong,
            });
            continue;
        }
        let group: Vec<&str> = groups
            .iter()
            .map(String::as_str)
            .filter(|g| !g.is_empty())
            .collect();
        let group = if group.is_empty() {
            default_group.to_string()
        } else {
            group.join(" / ")
        };
        let code = code_col.map(cell).unwrap_or("").to_string();
        let when = title_col
            .map(cell)
            .filter(|t| *t != text)
            .unwrap_or("")
            .replace('\n', " ");
        if !seen.insert((group.clone(), code.to_lowercase(), text.clone())) {
            preview.skipped.push(SkippedRow {
                line,
                reason: SkipReason::Duplicate,
            });
            continue;
        }
        let tags = tag_cols
            .iter()
            .flat_map(|c| {
                cell(*c)
                    .split([',', '，', '、', ';', '；', ' ', '|', '/'])
                    .map(str::trim)
                    .filter(|t| !t.is_empty() && t.chars().count() <= 20)
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        out.push(Pending {
            line: row.line,
            group,
            tags,
            phrase: OutPhrase { code, when, text },
        });
    }
    out
}

/// `<br>` and `&nbsp;` as some web back offices export them; `<img src="…">` as its link.
fn html_to_text(s: &str) -> String {
    if !s.contains('<') && !s.contains('&') {
        return s.to_string();
    }
    let mut t = s.to_string();
    for br in [
        "<br>", "<br/>", "<br />", "<BR>", "<BR/>", "<BR />", "</p><p>",
    ] {
        t = t.replace(br, "\n");
    }
    t = t.replace("&nbsp;", " ");
    // <img src="URL"> → URL
    while let Some(start) = t.find("<img") {
        let Some(len) = t[start..].find('>') else {
            break;
        };
        let tag = &t[start..start + len + 1];
        let url = tag
            .split(['"', '\''])
            .find(|p| p.starts_with("http://") || p.starts_with("https://"))
            .map(str::to_string)
            .unwrap_or_default();
        t.replace_range(start..start + len + 1, &url);
    }
    table::clean_cell(&t)
}

/// The image links in a phrase: `http(s)://` URLs whose path ends in an image extension.
fn image_links(text: &str) -> Vec<String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~:/?#@!$&'()*+,;=%".contains(c);
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("http") {
        let tail = &rest[i..];
        if tail.starts_with("http://") || tail.starts_with("https://") {
            let end = tail.find(|c: char| !allowed(c)).unwrap_or(tail.len());
            let url = &tail[..end];
            let path = url.split(['?', '#']).next().unwrap_or(url).to_lowercase();
            if [".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp"]
                .iter()
                .any(|e| path.ends_with(e))
            {
                out.push(url.to_string());
            }
            rest = &tail[end.max(4)..];
        } else {
            rest = &tail[4..];
        }
    }
    out
}

/// Codes taken by the knowledge base or an earlier row, handled by the policy.
fn resolve_clashes(
    ctx: &Context<'_>,
    pending: Vec<Pending>,
    policy: ClashPolicy,
    preview: &mut ImportPreview,
) -> Vec<Pending> {
    let mut existing: HashMap<String, (&str, &str)> = HashMap::new();
    for d in &ctx.documents {
        for p in &d.phrases {
            if !p.code.is_empty() {
                existing
                    .entry(p.code.to_lowercase())
                    .or_insert((d.id.as_str(), d.title.as_str()));
            }
        }
    }
    // code → (first line, group) among the rows kept so far.
    let mut earlier: HashMap<String, (usize, String)> = HashMap::new();
    let mut out = Vec::with_capacity(pending.len());
    for mut p in pending {
        let key = p.phrase.code.to_lowercase();
        if key.is_empty() {
            out.push(p);
            continue;
        }
        let in_kb = existing.get(&key);
        let before = earlier.get(&key).cloned();
        if in_kb.is_none() && before.is_none() {
            earlier.insert(key, (p.line, p.group.clone()));
            out.push(p);
            continue;
        }
        let same_group = before.as_ref().is_some_and(|(_, g)| *g == p.group);
        let action = match policy {
            ClashPolicy::Skip => ClashAction::Skipped,
            ClashPolicy::Keep if same_group => ClashAction::CodeDropped,
            ClashPolicy::Keep => ClashAction::Kept,
        };
        preview.clashes.push(CodeClash {
            code: p.phrase.code.clone(),
            line: p.line as u32,
            group: p.group.clone(),
            document: in_kb.map(|(id, _)| id.to_string()),
            document_title: in_kb.map(|(_, t)| t.to_string()),
            earlier_line: before.as_ref().map(|(l, _)| *l as u32),
            action,
        });
        match action {
            ClashAction::Skipped => preview.skipped.push(SkippedRow {
                line: p.line as u32,
                reason: SkipReason::CodeClash,
            }),
            ClashAction::CodeDropped => {
                p.phrase.code.clear();
                out.push(p);
            }
            ClashAction::Kept => {
                earlier.entry(key).or_insert((p.line, p.group.clone()));
                out.push(p);
            }
        }
    }
    out
}

/// One file per group (parts of at most [`PHRASES_PER_FILE`]), at free paths, each text parsed
/// back by the loader and compared with what was meant to be written.
fn plan_files(
    ctx: &Context<'_>,
    folder: &str,
    file: &str,
    pending: Vec<Pending>,
    images: &mut u32,
) -> Result<Vec<PlannedFile>> {
    let mut order: Vec<String> = Vec::new();
    let mut by_group: HashMap<String, Vec<Pending>> = HashMap::new();
    for p in pending {
        if !by_group.contains_key(&p.group) {
            order.push(p.group.clone());
        }
        by_group.entry(p.group.clone()).or_default().push(p);
    }
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut files = Vec::new();
    for group in order {
        let list = by_group.remove(&group).unwrap_or_default();
        let parts = list.len().div_ceil(PHRASES_PER_FILE);
        for (n, chunk) in list.chunks(PHRASES_PER_FILE).enumerate() {
            let clean_group: String = group.chars().filter(|c| !c.is_control()).take(60).collect();
            let title = if parts > 1 {
                format!("{clean_group}（{}/{parts}）", n + 1)
            } else {
                clean_group.clone()
            };
            let mut tags = vec!["导入".to_string()];
            for t in chunk.iter().flat_map(|p| p.tags.iter()) {
                if tags.len() < 12 && !tags.contains(t) {
                    tags.push(t.clone());
                }
            }
            let phrases: Vec<OutPhrase> = chunk.iter().map(|p| p.phrase.clone()).collect();
            let links: Vec<String> = phrases
                .iter()
                .flat_map(|p| image_links(&p.text))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            *images += links.len() as u32;
            let lines = (
                chunk.first().map_or(0, |p| p.line),
                chunk.last().map_or(0, |p| p.line),
            );
            let text = write::playbook_text(
                &FileMeta {
                    title: &title,
                    group: &clean_group,
                    tags: &tags,
                    source: file,
                    lines,
                    author: ctx.author,
                    today: ctx.today,
                    images: &links,
                },
                &phrases,
            );
            let path = free_path(ctx.content_dir, folder, &title, &mut taken);
            verify(&path, &text, &title, &phrases)?;
            files.push(PlannedFile {
                path,
                title,
                group: clean_group,
                phrases: phrases.len() as u32,
                text,
            });
        }
    }
    Ok(files)
}

fn free_path(
    content_dir: &Path,
    folder: &str,
    title: &str,
    taken: &mut BTreeSet<String>,
) -> String {
    let base = format!("{folder}/{}", crate::publish::slug(title));
    let mut candidate = format!("{base}.md");
    let mut n = 2;
    while taken.contains(&candidate.to_lowercase()) || content_dir.join(&candidate).exists() {
        candidate = format!("{base}-{n}.md");
        n += 1;
    }
    taken.insert(candidate.to_lowercase());
    candidate
}

/// The planned text loads as the playbook meant: same title, same phrases, no errors. A
/// mismatch is a bug in the writer, reported rather than written.
fn verify(path: &str, text: &str, title: &str, phrases: &[OutPhrase]) -> Result<()> {
    let (doc, problems) = content::load_file_text(path, text.as_bytes());
    let errors: Vec<String> = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| p.to_string())
        .collect();
    let Some(doc) = doc.filter(|_| errors.is_empty()) else {
        return Err(Error::Internal(format!(
            "the imported playbook {path} would not load: {}",
            errors.join("; ")
        )));
    };
    let same = doc.title == title
        && doc.phrases.len() == phrases.len()
        && doc
            .phrases
            .iter()
            .zip(phrases)
            .all(|(a, b)| a.code == b.code && a.text == b.text && a.when == b.when);
    if same {
        Ok(())
    } else {
        Err(Error::Internal(format!(
            "the imported playbook {path} would not read back as written"
        )))
    }
}

/// Plans again with the user's choices and writes the new files. Existing files are never
/// touched (each file is created, never replaced); if one cannot be written, the files this
/// import already wrote are removed again, so an import is all or nothing.
pub fn apply(ctx: &Context<'_>, req: &ImportRequest) -> Result<ImportOutcome> {
    let plan = preview(ctx, req)?;
    if let Some(b) = plan.blocker {
        return Err(Error::InvalidInput(match b {
            ImportBlocker::NoContentColumn => format!("{}: no column holds the phrases", plan.file),
            ImportBlocker::NothingToImport => format!("{}: no row can be imported", plan.file),
        }));
    }
    let mut written: Vec<PathBuf> = Vec::new();
    let result = (|| -> Result<()> {
        for f in &plan.files {
            let target = crate::publish::resolve(ctx.content_dir, &f.path)?;
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            let mut out = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&target)
                .map_err(|e| Error::io(&target, e))?;
            written.push(target.clone());
            out.write_all(f.text.as_bytes())
                .and_then(|_| out.sync_all())
                .map_err(|e| Error::io(&target, e))?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        for p in &written {
            let _ = std::fs::remove_file(p);
        }
        return Err(e);
    }
    Ok(ImportOutcome {
        written: plan.files.iter().map(|f| f.path.clone()).collect(),
        phrases: plan.phrases,
    })
}

#[cfg(test)]
mod tests;
