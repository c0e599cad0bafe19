//! `kefu import` and `kefu export`: a team's existing quick phrases in, the knowledge base's
//! phrases out (kefu_core::phrasebook does the work; this prints it).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use kefu_core::phrasebook::{
    self, ClashAction, ClashPolicy, ColumnRole, Context, ImportBlocker, ImportPreview,
    ImportRequest, SkipReason, SourceEncoding, SourceFormat, export::PhraseFormat,
};

use crate::CliResult;

#[derive(Args)]
pub(crate) struct ImportArgs {
    /// The export to import: CSV or TSV (UTF-8, UTF-16 or GB18030/GBK), XLSX or XLS.
    file: PathBuf,
    /// The role of each column, in order, comma-separated: group, code, title, content, tags or
    /// ignore (分组, 编码, 标题, 内容, 标签, 忽略 also work). Guessed from the headers by default.
    #[arg(long, value_name = "ROLES")]
    map: Option<String>,
    /// The sheet to read (spreadsheets); the first with data by default.
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
    /// Show what would be written and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print JSON: the preview (with --dry-run), or the files written.
    #[arg(long)]
    json: bool,
    /// Leave out phrases whose code is already taken (by default they are imported and reported).
    #[arg(long)]
    skip_clashes: bool,
    /// Placeholder tokens to turn into {{…}}, comma-separated (e.g. 【订单号】,#买家#), or `none`.
    /// By default the ones that name a value to fill in.
    #[arg(long, value_name = "TOKENS")]
    convert: Option<String>,
    /// Folder for the new playbooks, inside the content folder [default: playbooks/imported].
    #[arg(long, value_name = "DIR")]
    into: Option<String>,
    /// The author written into the new files.
    #[arg(long)]
    author: Option<String>,
}

#[derive(Args)]
pub(crate) struct ExportArgs {
    /// Where to write: a .xlsx name writes a workbook, anything else CSV (UTF-8 with a BOM).
    file: PathBuf,
    /// CSV in GB18030 (GBK-compatible) instead of UTF-8, for tools that read nothing else.
    #[arg(long)]
    gbk: bool,
}

fn role(s: &str) -> Result<ColumnRole, String> {
    Ok(match s.trim().to_lowercase().as_str() {
        "group" | "分组" => ColumnRole::Group,
        "code" | "编码" => ColumnRole::Code,
        "title" | "标题" => ColumnRole::Title,
        "content" | "内容" => ColumnRole::Content,
        "tags" | "tag" | "标签" => ColumnRole::Tags,
        "ignore" | "忽略" | "-" | "" => ColumnRole::Ignore,
        other => {
            return Err(format!(
                "unknown column role `{other}` (group, code, title, content, tags, ignore)"
            ));
        }
    })
}

fn role_name(r: ColumnRole) -> &'static str {
    match r {
        ColumnRole::Group => "group",
        ColumnRole::Code => "code",
        ColumnRole::Title => "title",
        ColumnRole::Content => "content",
        ColumnRole::Tags => "tags",
        ColumnRole::Ignore => "ignore",
    }
}

fn request(args: &ImportArgs) -> Result<ImportRequest, Box<dyn std::error::Error>> {
    let path = std::path::absolute(&args.file)?;
    let roles = match &args.map {
        Some(m) => Some(m.split(',').map(role).collect::<Result<Vec<_>, _>>()?),
        None => None,
    };
    let convert = args.convert.as_ref().map(|c| {
        if c.trim() == "none" {
            Vec::new()
        } else {
            c.split(',')
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect()
        }
    });
    Ok(ImportRequest {
        path: path.display().to_string(),
        sheet: args.sheet.clone(),
        roles,
        convert,
        on_clash: if args.skip_clashes {
            ClashPolicy::Skip
        } else {
            ClashPolicy::Keep
        },
        folder: args.into.clone(),
    })
}

fn describe_source(p: &ImportPreview) -> String {
    let format = match (p.format, p.encoding) {
        (SourceFormat::Spreadsheet, _) => {
            format!("spreadsheet, sheet {}", p.sheet.as_deref().unwrap_or("?"))
        }
        (f, e) => {
            let f = match f {
                SourceFormat::Csv => "CSV",
                SourceFormat::Tsv => "tab-separated",
                SourceFormat::Ssv => "semicolon-separated",
                SourceFormat::Spreadsheet => "spreadsheet",
            };
            let e = match e {
                Some(SourceEncoding::Utf8) => "UTF-8",
                Some(SourceEncoding::Utf8Bom) => "UTF-8 with BOM",
                Some(SourceEncoding::Utf16le) => "UTF-16LE",
                Some(SourceEncoding::Utf16be) => "UTF-16BE",
                Some(SourceEncoding::Gb18030) => "GB18030/GBK",
                None => "?",
            };
            format!("{f}, {e}")
        }
    };
    let header = match p.header_line {
        Some(l) => format!("header on line {l}"),
        None => "no header row (columns guessed from the data)".into(),
    };
    format!("{}: {format}, {header}, {} rows", p.file, p.rows)
}

fn print_preview(p: &ImportPreview, dry_run: bool) {
    say!("{}", describe_source(p));
    let cols: Vec<String> = p
        .columns
        .iter()
        .map(|c| {
            let h = if c.header.is_empty() {
                format!("column {}", c.index + 1)
            } else {
                format!("{} {}", c.index + 1, c.header)
            };
            format!("{h} → {}", role_name(c.role))
        })
        .collect();
    say!("columns: {}  (change with --map)", cols.join(" · "));
    for c in &p.placeholders {
        let f = &c.found;
        if c.convert {
            say!(
                "placeholder: {} → {{{{{}}}}} ({} phrases)",
                f.token,
                f.name,
                f.phrases
            );
        } else {
            say!(
                "placeholder: {} kept as written ({} phrases; --convert to change)",
                f.token,
                f.phrases
            );
        }
    }
    for c in &p.clashes {
        let with = match (&c.document, c.earlier_line) {
            (Some(d), _) => format!(
                "is used by {d} ({})",
                c.document_title.as_deref().unwrap_or("")
            ),
            (None, Some(l)) => format!("is used on line {l}"),
            (None, None) => "is taken".into(),
        };
        let action = match c.action {
            ClashAction::Kept => "imported with the code",
            ClashAction::CodeDropped => "imported without a code (same group)",
            ClashAction::Skipped => "left out",
        };
        say!("{}:{}: code `{}` {with}: {action}", p.file, c.line, c.code);
    }
    for s in &p.skipped {
        let why = match s.reason {
            SkipReason::NoContent => "no phrase text",
            SkipReason::CodeClash => "code taken (--skip-clashes)",
            SkipReason::TooLong => "text too long for a phrase",
            SkipReason::Duplicate => "same group, code and text as an earlier row",
        };
        say!("{}:{}: skipped: {why}", p.file, s.line);
    }
    match p.blocker {
        Some(ImportBlocker::NoContentColumn) => {
            say!("no column holds the phrases: name one with --map (… ,content, …)");
            return;
        }
        Some(ImportBlocker::NothingToImport) => {
            say!("no row can be imported");
            return;
        }
        None => {}
    }
    let verb = if dry_run { "would write" } else { "writing" };
    say!(
        "{verb} {} files ({} phrases, {} image links) under {}:",
        p.files.len(),
        p.phrases,
        p.images,
        p.folder
    );
    for f in &p.files {
        say!("  {}  {}  {} phrases", f.path, f.title, f.phrases);
    }
}

/// `kefu import`.
pub(crate) fn import(content: &Path, args: ImportArgs) -> CliResult {
    if !content.is_dir() {
        return Err(format!("content folder {} does not exist", content.display()).into());
    }
    let loaded = kefu_core::content::load(content)?;
    let req = request(&args)?;
    let ctx = Context {
        content_dir: content,
        documents: loaded.docs.iter().collect(),
        author: args.author.as_deref(),
        today: chrono::Local::now().date_naive(),
    };
    let preview = phrasebook::preview(&ctx, &req)?;
    if args.dry_run || preview.blocker.is_some() {
        if args.json {
            println!("{}", serde_json::to_string_pretty(&preview)?);
        } else {
            print_preview(&preview, true);
            if preview.blocker.is_none() {
                say!("dry run: nothing written");
            }
        }
        return Ok(if preview.blocker.is_some() {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        });
    }
    if !args.json {
        print_preview(&preview, false);
    }
    let out = phrasebook::apply(&ctx, &req)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        say!(
            "imported {} phrases into {} new files; existing files untouched. `kefu check` validates them, 同步 shares them.",
            out.phrases,
            out.written.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `kefu export`.
pub(crate) fn export(content: &Path, args: ExportArgs) -> CliResult {
    let loaded = kefu_core::content::load(content)?;
    let format = PhraseFormat::for_path(&args.file, args.gbk);
    let n = phrasebook::export::write(loaded.docs.iter(), format, &args.file)?;
    say!("{n} phrases written to {}", args.file.display());
    Ok(ExitCode::SUCCESS)
}
