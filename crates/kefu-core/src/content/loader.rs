//! Walking a content folder and loading every Markdown file in it.

use std::collections::HashMap;
use std::path::Path;
use std::time::SystemTime;

use super::boundary::{Refusal, read_regular};
use super::decode::{Decoded, MAX_FILE_BYTES, decode_text};
use super::front_matter::{self, SplitError};
use super::model::{Document, Link};
use super::problem::{Problem, ProblemCode};
use crate::error::{Error, Result};
use crate::markdown;

/// Everything read from a content folder.
#[derive(Debug, Default)]
pub struct LoadedContent {
    /// Documents that loaded, sorted by path.
    pub docs: Vec<Document>,
    /// Problems found, sorted by path and line.
    pub problems: Vec<Problem>,
    /// How many `.md` files were looked at.
    pub files_seen: usize,
    /// Per file read: what identified its bytes and its own problems (not those of the
    /// whole-folder checks), so a reload can reuse what did not change (see [`load_with`]).
    pub files: HashMap<String, Seen>,
    /// When this load started reading files.
    pub started: Option<SystemTime>,
}

/// What a load saw of one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    /// xxh3 of its bytes.
    pub fingerprint: u64,
    /// Its size in bytes.
    pub size: u64,
    /// Its modification time.
    pub modified: Option<SystemTime>,
    /// Its own problems.
    pub problems: Vec<Problem>,
}

/// How a reload identifies an unchanged file: by size and modification time without reading it
/// (`bytes: None`), or by the fingerprint of its bytes.
#[derive(Debug, Clone, Copy)]
pub struct FileKey {
    /// Size in bytes.
    pub size: u64,
    /// Modification time.
    pub modified: Option<SystemTime>,
    /// xxh3 of the bytes, once read.
    pub fingerprint: Option<u64>,
}

/// What a reload may reuse: for a path and what identifies its bytes now, the document and its
/// own problems from the previous load when they came from the same bytes. It is asked first
/// with size and modification time only, then (when it declines) with the fingerprint.
pub type Reuse<'a> = dyn Fn(&str, &FileKey) -> Option<(Document, Vec<Problem>)> + Sync + 'a;

/// One file's outcome.
struct FileResult {
    rel: String,
    seen: Option<(u64, u64, Option<SystemTime>)>,
    doc: Option<Document>,
    problems: Vec<Problem>,
}

fn load_path(root: &Path, path: &Path, reuse: &Reuse<'_>) -> FileResult {
    let rel = rel_path(root, path);
    let refused = |code: ProblemCode, detail: Option<String>| {
        let mut p = Problem::error(&rel, 1, code);
        if let Some(d) = detail {
            p = p.arg("detail", d);
        }
        FileResult {
            rel: rel.clone(),
            seen: None,
            doc: None,
            problems: vec![p],
        }
    };
    // Never follows a link (see `boundary`): the walk does not, and neither does this.
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) => return refused(ProblemCode::CannotRead, Some(e.to_string())),
    };
    if meta.file_type().is_symlink() {
        return refused(ProblemCode::SymlinkSkipped, None);
    }
    if !meta.is_file() {
        return refused(ProblemCode::NotRegularFile, None);
    }
    let size = meta.len();
    let modified = meta.modified().ok();
    let mut key = FileKey {
        size,
        modified,
        fingerprint: None,
    };
    if let Some((doc, problems)) = reuse(&rel, &key) {
        return FileResult {
            rel,
            seen: Some((doc.fingerprint, size, modified)),
            doc: Some(doc),
            problems,
        };
    }
    let too_large = |size: u64| FileResult {
        rel: rel.clone(),
        seen: None,
        doc: None,
        problems: vec![
            Problem::warning(&rel, 1, ProblemCode::FileTooLarge)
                .arg("size_mb", format!("{:.1}", size as f64 / 1_048_576.0)),
        ],
    };
    if size > MAX_FILE_BYTES {
        return too_large(size);
    }
    match read_regular(path, MAX_FILE_BYTES) {
        Ok(bytes) => {
            let fp = xxhash_rust::xxh3::xxh3_64(&bytes);
            key.fingerprint = Some(fp);
            let (doc, problems) = reuse(&rel, &key)
                .map_or_else(|| load_file_text(&rel, &bytes), |(d, p)| (Some(d), p));
            FileResult {
                rel,
                seen: Some((fp, size, modified)),
                doc,
                problems,
            }
        }
        Err(Refusal::TooLarge(n)) => too_large(n),
        Err(Refusal::Symlink) => refused(ProblemCode::SymlinkSkipped, None),
        Err(Refusal::NotRegular) => refused(ProblemCode::NotRegularFile, None),
        Err(r) => refused(ProblemCode::CannotRead, Some(r.to_string())),
    }
}

impl LoadedContent {
    /// True when any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.problems
            .iter()
            .any(|p| p.severity == super::Severity::Error)
    }
}

/// Loads every `*.md` file below `root` (except `README.md` files and hidden folders).
///
/// Never modifies the folder. One bad file never stops the others; it yields a [`Problem`].
/// Fails only when `root` itself cannot be read.
pub fn load(root: &Path) -> Result<LoadedContent> {
    load_with(root, &|_, _| None)
}

/// [`load`], reusing the previous document of every file whose bytes did not change. Files are
/// read and parsed on all cores (the order of documents and problems does not depend on it).
pub fn load_with(root: &Path, reuse: &Reuse<'_>) -> Result<LoadedContent> {
    if !root.is_dir() {
        return Err(Error::ContentRoot {
            path: root.to_path_buf(),
        });
    }
    let mut out = LoadedContent::default();
    let mut paths = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    for entry in
        walker.filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
    {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let rel = e.path().map(|p| rel_path(root, p)).unwrap_or_default();
                out.problems
                    .push(Problem::warning(&rel, 1, ProblemCode::CannotRead).arg("detail", e));
                continue;
            }
        };
        let kind = entry.file_type();
        if entry.depth() > 0 && kind.is_symlink() {
            // A linked document or folder: what it points to is not loaded, and the team should
            // know. (Links to other files, such as images, are simply not content.)
            let to_dir = std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir());
            if to_dir || is_markdown(entry.path()) {
                let rel = rel_path(root, entry.path());
                out.problems
                    .push(Problem::error(&rel, 1, ProblemCode::SymlinkSkipped));
            }
            continue;
        }
        if kind.is_dir() || !is_markdown(entry.path()) {
            continue;
        }
        // Regular files and special files named like documents (refused in `load_path`).
        paths.push(entry.into_path());
    }
    out.files_seen = paths.len();
    out.started = Some(SystemTime::now());
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min(paths.len().div_ceil(64).max(1));
    let chunk = paths.len().div_ceil(workers).max(1);
    let results: Vec<FileResult> = std::thread::scope(|scope| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|p| load_path(root, p, reuse))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    for r in results {
        out.problems.extend(r.problems.iter().cloned());
        if let Some((fingerprint, size, modified)) = r.seen {
            out.files.insert(
                r.rel,
                Seen {
                    fingerprint,
                    size,
                    modified,
                    problems: r.problems,
                },
            );
        }
        out.docs.extend(r.doc);
    }
    dedupe_ids(&mut out);
    check_links(&mut out);
    out.problems
        .sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    Ok(out)
}

fn is_markdown(p: &Path) -> bool {
    let md = p.extension().is_some_and(|e| e.eq_ignore_ascii_case("md"));
    let readme = p
        .file_stem()
        .is_some_and(|s| s.eq_ignore_ascii_case("readme"));
    md && !readme
}

fn rel_path(root: &Path, p: &Path) -> String {
    let rel = p.strip_prefix(root).unwrap_or(p);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Loads one file's bytes; `rel` is its path relative to the content root.
pub fn load_file_text(rel: &str, bytes: &[u8]) -> (Option<Document>, Vec<Problem>) {
    let mut problems = Vec::new();
    let text = match decode_text(bytes) {
        Decoded::Utf8(t) => t,
        Decoded::Gb18030(t) => {
            problems.push(Problem::warning(rel, 1, ProblemCode::ConvertedFromGbk));
            t
        }
        Decoded::Utf16(t) => {
            problems.push(Problem::warning(rel, 1, ProblemCode::ConvertedFromUtf16));
            t
        }
        Decoded::Binary => {
            // An error: a `.md` that does not load is a missing document, and a team's CI
            // running `kefu check` should say so.
            problems.push(Problem::error(rel, 1, ProblemCode::BinaryFile));
            return (None, problems);
        }
        Decoded::Unknown => {
            problems.push(Problem::error(rel, 1, ProblemCode::NotText));
            return (None, problems);
        }
    };
    if let Some(line) = conflict_marker_line(&text) {
        problems.push(Problem::error(rel, line, ProblemCode::MergeConflict));
        return (None, problems);
    }
    let split = match front_matter::split(&text) {
        Ok(s) => s,
        Err(SplitError::Missing) => {
            problems.push(Problem::error(rel, 1, ProblemCode::NoFrontMatter));
            return (None, problems);
        }
        Err(SplitError::Unclosed) => {
            problems.push(Problem::error(rel, 1, ProblemCode::FrontMatterNotClosed));
            return (None, problems);
        }
    };
    let fingerprint = xxhash_rust::xxh3::xxh3_64(bytes);
    let parsed = front_matter::parse(rel, &split, fingerprint);
    problems.extend(parsed.problems);
    let Some(mut doc) = parsed.doc else {
        return (None, problems);
    };
    doc.links = markdown::find_links(&doc.body)
        .into_iter()
        .map(|l| Link {
            target: l.target,
            label: l.label,
            line: doc.body_line + l.line_offset,
        })
        .collect();
    warn_markup(rel, &doc, &mut problems);
    (Some(doc), problems)
}

/// The Markdown body of a file's text: everything after the front matter (the whole text when
/// there is none), for previews of text that does not load.
pub fn body_of(text: &str) -> &str {
    front_matter::split(text).map_or(text, |s| s.body)
}

/// The 1-based line of the first git conflict marker (`<<<<<<< ` followed later by `>>>>>>> `).
pub fn conflict_marker_line(text: &str) -> Option<usize> {
    let mut start = None;
    for (i, line) in text.lines().enumerate() {
        if start.is_none() && (line.starts_with("<<<<<<< ") || line == "<<<<<<<") {
            start = Some(i + 1);
        } else if start.is_some() && (line.starts_with(">>>>>>> ") || line == ">>>>>>>") {
            return start;
        }
    }
    None
}

/// HTML in content is neutralised when shown; tell the author so nothing surprises them.
fn warn_markup(rel: &str, doc: &Document, problems: &mut Vec<Problem>) {
    let report = markdown::inspect(&doc.body);
    for u in report.unclosed {
        problems.push(
            Problem::warning(
                rel,
                doc.body_line + u.line_offset,
                ProblemCode::UnclosedRawHtml,
            )
            .arg("tag", u.tag),
        );
    }
    if let Some(line) = report.too_deep {
        problems.push(
            Problem::warning(rel, doc.body_line + line, ProblemCode::NestingTooDeep)
                .arg("depth", markdown::MAX_DEPTH),
        );
    }
    for (i, line) in doc.body.lines().enumerate() {
        if markdown::looks_dangerous(line) {
            problems.push(Problem::warning(
                rel,
                doc.body_line + i,
                ProblemCode::ScriptInBody,
            ));
        }
    }
}

/// The problem of a file whose id another file (`other`, a path) already uses.
pub fn duplicate_id_problem(path: &str, id: &str, other: &str) -> Problem {
    Problem::error(path, 1, ProblemCode::DuplicateId)
        .arg("id", id)
        .arg("other", other)
}

/// The problem of a `[[link]]` to an id no document has.
pub fn broken_link_problem(path: &str, link: &Link) -> Problem {
    Problem::error(path, link.line, ProblemCode::BrokenLink).arg("target", &link.target)
}

/// Two files claiming one id: the file whose path gives that id (`rules/x.md` for `rules/x`)
/// keeps it, so a new file cannot displace a document by copying its id; otherwise the first by
/// path. Every other claimant gets the error and is not loaded.
fn dedupe_ids(out: &mut LoadedContent) {
    let owns = |d: &Document| super::front_matter::default_id(&d.path) == d.id;
    let mut owner: HashMap<String, (String, bool)> = HashMap::new();
    for d in &out.docs {
        let mine = owns(d);
        owner
            .entry(d.id.clone())
            .and_modify(|o| {
                if mine && !o.1 {
                    *o = (d.path.clone(), true);
                }
            })
            .or_insert_with(|| (d.path.clone(), mine));
    }
    let mut kept = Vec::with_capacity(out.docs.len());
    for doc in std::mem::take(&mut out.docs) {
        match owner.get(&doc.id) {
            Some((path, _)) if *path != doc.path => {
                out.problems
                    .push(duplicate_id_problem(&doc.path, &doc.id, path));
            }
            _ => kept.push(doc),
        }
    }
    out.docs = kept;
}

fn check_links(out: &mut LoadedContent) {
    let ids: std::collections::HashSet<&str> = out.docs.iter().map(|d| d.id.as_str()).collect();
    for doc in &out.docs {
        for link in &doc.links {
            if !ids.contains(link.target.as_str()) {
                out.problems.push(broken_link_problem(&doc.path, link));
            }
        }
    }
}
