//! `kefu`: check, index, search and show a Kefu content folder from the terminal.

/// `println!` for text shown on a terminal: control characters from content (ESC, BEL, the C1
/// range, bidirectional overrides) are written as visible `\u{…}` escapes, so a title cannot
/// recolour the terminal, retitle it or set the clipboard (OSC 52). JSON output keeps `println!`
/// (serde_json escapes control characters itself).
macro_rules! say {
    ($($t:tt)*) => {
        println!("{}", $crate::terminal_safe(&format!($($t)*)))
    };
}

mod bench;
mod phrases;
mod serve;
mod team;

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};
use kefu_core::{
    Kind, Library, LibraryConfig, MatchMode, Platform, SearchOptions, SearchResults, Severity,
    SystemClock,
};

#[derive(Parser)]
#[command(
    name = "kefu",
    version,
    about = "Kefu 客服宝典: search and check a customer-service knowledge base"
)]
struct Cli {
    #[command(flatten)]
    dirs: Dirs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Dirs {
    /// Content folder (Markdown files with YAML front matter).
    #[arg(long, global = true, default_value = "content", value_name = "DIR")]
    content: PathBuf,
    /// Data folder for the search index [default: $KEFU_DATA_DIR or the platform app-data dir].
    #[arg(long, global = true, value_name = "DIR")]
    data: Option<PathBuf>,
    /// The sentence encoder's model file [default: $KEFU_MODEL, else models/e5-small-q4.bin].
    #[arg(long, global = true, value_name = "FILE")]
    model: Option<PathBuf>,
    /// Match by words only (no model is loaded).
    #[arg(long, global = true)]
    no_semantic: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Benchmarks: Kefu against SQLite FTS5 and brute force (speed, relevance); see docs/benchmarks.md.
    Bench(bench::BenchArgs),
    /// Validate the content folder; exit 1 when there is any error.
    Check {
        /// Print one JSON object instead of `path:line: severity: message` lines.
        #[arg(long)]
        json: bool,
    },
    /// Build or sync the search index and print what changed.
    Index,
    /// Import quick phrases from a CSV/XLSX/XLS export (千牛, 易歪歪, a team sheet) as new
    /// playbooks, one per group; `--dry-run` shows the plan. Existing files are never changed.
    Import(phrases::ImportArgs),
    /// Export every playbook phrase (group, code, title, text, tags) to CSV or XLSX.
    Export(phrases::ExportArgs),
    /// Search the content.
    Search(SearchArgs),
    /// The real core over HTTP+JSON on a loopback address, with the built UI, for the browser
    /// tests and UI development. Prints the URL (with its per-run token) and runs until killed.
    Serve(serve::ServeArgs),
    /// Reply drills: list them, or score a reply.
    #[command(subcommand)]
    Drill(DrillCommand),
    /// List documents that need review (待复核): overdue rules, and documents relying on a rule
    /// changed after they were last updated.
    Review {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Share the content folder through git: commit local changes, `git pull --rebase`, push.
    /// Exit 1 when the pull stopped on conflicts (the files are listed and left for you).
    Sync {
        /// Name for the commit when git has no user.name configured.
        #[arg(long)]
        author: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Watch the content folder and re-index on every change (prints what changed and how long
    /// the update took); Ctrl+C stops.
    Watch,
    /// What the agent used in the app: copies and sends per phrase and per document, and the
    /// phrases of the content never used (from the app's data folder; no customer text is kept).
    Usage {
        /// Only uses on or after this day (YYYY-MM-DD, local time).
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// The team lead's view: every agent who shares results against the team average, the
    /// findings, assignments; `share`, `assign` and `agent` subcommands.
    Team(TeamArgs),
    /// Show one document.
    Show {
        /// Document id (e.g. playbooks/cuifahuo).
        id: String,
        /// Print the document as JSON.
        #[arg(long, conflicts_with = "html")]
        json: bool,
        /// Print the body as sanitised HTML.
        #[arg(long)]
        html: bool,
    },
}

#[derive(Subcommand)]
enum DrillCommand {
    /// List the drills.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Score a reply to a drill, with the same breakdown the app shows.
    Score {
        /// Drill id (e.g. drills/cuifahuo-zhaoji).
        #[arg(long)]
        drill: String,
        /// The reply to score.
        #[arg(long)]
        reply: String,
        /// Seconds taken (adds the speed part; without it speed is left out).
        #[arg(long)]
        seconds: Option<f64>,
        /// Print JSON (`score`, `elements`, `missing`, `banned`, `similarity`, `closest_reference` …).
        #[arg(long)]
        json: bool,
        /// Record the attempt in the practice database (the app's, or --data's) as the app does:
        /// scheduled for review, and shared with the team when sharing is on.
        #[arg(long, requires_all = ["seconds", "first_response"])]
        record: bool,
        /// With --record: seconds from the customer's message to the first key.
        #[arg(long, value_name = "SECONDS")]
        first_response: Option<f64>,
        /// With --record: the trainee's name (set on the profile first).
        #[arg(long, value_name = "NAME", requires = "record")]
        profile: Option<String>,
    },
}

#[derive(Args)]
struct TeamArgs {
    #[command(subcommand)]
    command: Option<TeamCommand>,
    /// Print one JSON object (the whole view).
    #[arg(long)]
    json: bool,
    /// Also write the matrix as CSV to FILE.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// Also write the matrix as an Excel workbook to FILE.
    #[arg(long, value_name = "FILE")]
    xlsx: Option<PathBuf>,
    /// Column names and findings in English.
    #[arg(long)]
    english: bool,
}

#[derive(Subcommand)]
enum TeamCommand {
    /// Turn sharing of this machine's practice results on or off (as 设置 → 团队 does).
    Share {
        /// on or off.
        #[arg(value_parser = ["on", "off"])]
        state: String,
        /// The agent id (team/results/<ID>.jsonl); kept from before when omitted.
        #[arg(long = "as", value_name = "ID")]
        agent: Option<String>,
        /// Also share the text of each reply.
        #[arg(long)]
        replies: bool,
        /// With `off`: also delete the results file already shared.
        #[arg(long)]
        delete: bool,
    },
    /// Assign drills (or a category, or the first-week path) to an agent or everyone.
    Assign {
        /// A drill id; repeatable.
        #[arg(long = "drill", value_name = "ID", conflicts_with_all = ["category", "first_week"])]
        drills: Vec<String>,
        /// Every drill of this category.
        #[arg(long, conflicts_with = "first_week")]
        category: Option<String>,
        /// The first-week path.
        #[arg(long)]
        first_week: bool,
        /// An agent id, or `all`; repeatable.
        #[arg(long, value_name = "AGENT", required = true)]
        to: Vec<String>,
        /// Due date (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        due: String,
        /// A word for the agents.
        #[arg(long)]
        note: Option<String>,
    },
    /// One agent's weekly trend and last attempts.
    Agent {
        /// The agent id.
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
struct SearchArgs {
    /// Only this kind (playbook, case, rule, drill); repeatable.
    #[arg(long = "kind", value_name = "K")]
    kinds: Vec<String>,
    /// Only this platform (taobao, tmall, pdd, jd, vip, douyin or Chinese names); repeatable.
    #[arg(long = "platform", value_name = "P")]
    platforms: Vec<String>,
    /// Most hits to show.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// Run one query per line of FILE and print one JSON object per line.
    #[arg(long, value_name = "FILE", conflicts_with = "interactive")]
    queries: Option<PathBuf>,
    /// Read queries from the terminal until an empty line or Ctrl+D.
    #[arg(long, short)]
    interactive: bool,
    /// How to match: auto (a customer's message by words and meaning, typed keywords by words),
    /// typed (keywords only), words, meaning, or hybrid (the message path).
    #[arg(long, default_value = "auto", value_parser = ["auto", "typed", "words", "meaning", "hybrid"])]
    mode: String,
    /// The query: words, "phrases", -exclusions, kind:/platform:/tag: filters.
    #[arg(allow_hyphen_values = true, trailing_var_arg = true)]
    query: Vec<String>,
}

/// Text for a terminal: control and bidirectional characters as visible escapes (kefu-core's
/// [`kefu_core::content::visible_text`], which the app's problem list uses too).
pub(crate) fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    kefu_core::content::visible_text(text)
}

/// `kefu check | head -1`: when the reader goes away, stop quietly with the status a shell
/// gives a process ended by SIGPIPE (141) instead of panicking (101). Other panics are
/// reported as usual.
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let msg = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.contains("failed printing to stdout") && msg.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        // The reader of our output went away (`kefu search … | head -1`): stop quietly.
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::from(141)
        }
        Err(e) => {
            eprintln!("kefu: error: {e}");
            ExitCode::from(2)
        }
    }
}

type CliResult = Result<ExitCode, Box<dyn std::error::Error>>;

fn open(dirs: &Dirs) -> Result<Library, kefu_core::Error> {
    let data = dirs
        .data
        .clone()
        .unwrap_or_else(kefu_core::default_data_dir);
    Library::open(
        LibraryConfig {
            content_dir: dirs.content.clone(),
            data_dir: Some(data),
        },
        Arc::new(SystemClock),
    )
}

/// Loads the encoder for `lib` and embeds the content pieces that have no cached vector yet
/// (with every core; progress on stderr). Without a model, says so once and searches by words.
fn semantic(lib: &Library, dirs: &Dirs) {
    semantic_for(lib, dirs, Library::embed_todo);
}

/// Like [`semantic`], embedding what `todo` lists (e.g. what drill scoring compares with).
fn semantic_for(lib: &Library, dirs: &Dirs, todo: fn(&Library) -> Vec<(u64, String)>) {
    if dirs.no_semantic {
        lib.semantic().set_off("--no-semantic");
        return;
    }
    let places = kefu_core::semantic::repo_model_dirs();
    let enc = match &dirs.model {
        Some(m) => match kefu_core::semantic::Encoder::load(m) {
            Ok(e) => {
                let e = Arc::new(e);
                lib.semantic().set_encoder(Arc::clone(&e));
                Some(e)
            }
            Err(e) => {
                eprintln!("kefu: semantic matching is off: {e}");
                lib.semantic().set_off(e.to_string());
                None
            }
        },
        None => kefu_core::semantic::start(lib.semantic(), &places),
    };
    if enc.is_none() {
        if let kefu_core::semantic::SemanticStatus::Off { reason } = lib.semantic().status(&[]) {
            eprintln!("kefu: semantic matching is off: {reason}");
        }
        return;
    }
    let todo = todo(lib);
    if !todo.is_empty() {
        let started = Instant::now();
        eprintln!(
            "kefu: embedding {} pieces (once; cached in the data folder) …",
            todo.len()
        );
        if let Err(e) = lib.semantic().embed_all(&todo) {
            eprintln!("kefu: could not cache the vectors: {e}");
        }
        eprintln!(
            "kefu: embedded {} pieces in {:.1} s",
            todo.len(),
            started.elapsed().as_secs_f64()
        );
    }
}

fn run(cli: Cli) -> CliResult {
    match cli.command {
        Command::Check { json } => check(&cli.dirs.content, json),
        Command::Index => index(&cli.dirs),
        Command::Import(args) => phrases::import(&cli.dirs.content, args),
        Command::Export(args) => phrases::export(&cli.dirs.content, args),
        Command::Search(args) => search(&cli.dirs, args),
        Command::Show { id, json, html } => show(&cli.dirs, &id, json, html),
        Command::Review { json } => review(&cli.dirs.content, json),
        Command::Watch => watch(&cli.dirs),
        Command::Usage { since, json } => usage(&cli.dirs, since.as_deref(), json),
        Command::Sync { author, json } => sync(&cli.dirs.content, author.as_deref(), json),
        Command::Serve(args) => {
            let data = cli
                .dirs
                .data
                .clone()
                .unwrap_or_else(kefu_core::default_data_dir);
            let model_dirs = match cli.dirs.model.as_ref().and_then(|m| m.parent()) {
                Some(dir) => vec![dir.to_path_buf()],
                None => kefu_core::semantic::repo_model_dirs(),
            };
            serve::run(
                cli.dirs.content.clone(),
                data,
                model_dirs,
                !cli.dirs.no_semantic,
                &args,
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(args) => {
            bench::run(&cli.dirs.content, &args)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Drill(DrillCommand::List { json }) => drill_list(&cli.dirs, json),
        Command::Drill(DrillCommand::Score {
            drill,
            reply,
            seconds,
            json,
            record,
            first_response,
            profile,
        }) => {
            let record = record.then_some(Record {
                first_response: first_response.unwrap_or(0.0),
                profile,
            });
            drill_score(&cli.dirs, &drill, &reply, seconds, json, record)
        }
        Command::Team(args) => team::run(&cli.dirs, args),
    }
}

fn watch(dirs: &Dirs) -> CliResult {
    let lib = std::sync::Mutex::new(open(dirs)?);
    let (tx, rx) = std::sync::mpsc::channel::<Vec<PathBuf>>();
    let _watcher = kefu_core::watch::ContentWatcher::start(&dirs.content, move |paths| {
        let _ = tx.send(paths);
    })?;
    eprintln!("watching {} (Ctrl+C stops)", dirs.content.display());
    for paths in rx {
        let started = Instant::now();
        let mut lib = lib.lock().map_err(|_| "library lock poisoned")?;
        match lib.reload_changes() {
            Ok(Some(ids)) => say!(
                "{} file event(s) → {} document(s) changed, index updated in {:.1} ms ({} errors, {} warnings)",
                paths.len(),
                ids.len(),
                started.elapsed().as_secs_f64() * 1000.0,
                lib.status().errors,
                lib.status().warnings
            ),
            Ok(None) => eprintln!("{} file event(s), nothing changed", paths.len()),
            Err(e) => eprintln!("kefu: reload failed: {e}"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn usage(dirs: &Dirs, since: Option<&str>, json: bool) -> CliResult {
    let since = match since {
        None => None,
        Some(day) => {
            let date = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
                .map_err(|e| format!("--since {day}: expected YYYY-MM-DD ({e})"))?;
            let start = date
                .and_hms_opt(0, 0, 0)
                .and_then(|t| t.and_local_timezone(chrono::Local).earliest())
                .ok_or_else(|| format!("--since {day}: no such local time"))?;
            Some(start.with_timezone(&chrono::Utc))
        }
    };
    let data = dirs.data.clone().unwrap_or_else(kefu_core::app_data_dir);
    if !data.join(kefu_core::store::DB_FILE).exists() {
        return Err(format!(
            "no practice database in {} (the app's data folder; --data names another)",
            data.display()
        )
        .into());
    }
    let (store, note) = kefu_core::store::Store::open(&data, &SystemClock)?;
    if let Some(note) = note {
        eprintln!("kefu: {note}");
    }
    let events = store.uses(since)?;
    let (loaded, _) = kefu_core::check(&dirs.content, &SystemClock)?;
    let content: Vec<(String, String, Vec<String>)> = loaded
        .docs
        .iter()
        .filter(|d| !d.phrases.is_empty())
        .map(|d| {
            (
                d.id.clone(),
                d.title.clone(),
                d.phrases.iter().map(|p| p.code.clone()).collect(),
            )
        })
        .collect();
    let report = kefu_core::usage::report(&events, since.map(|s| s.to_rfc3339()), &content);
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    let period = since.map_or("all time".to_string(), |s| {
        format!(
            "since {}",
            s.with_timezone(&chrono::Local).format("%Y-%m-%d")
        )
    });
    say!("{} use(s), {period}", report.total);
    if !report.phrases.is_empty() {
        say!("\nphrases (sent / copied · typed / pasted / clipboard / browsed · last used)");
        for p in &report.phrases {
            say!(
                "  {:>4} {:>4} · {}/{}/{}/{} · {}  {} {}  {}",
                p.sent,
                p.copied,
                p.typed,
                p.pasted,
                p.clipboard,
                p.browsed,
                chrono::DateTime::parse_from_rfc3339(&p.last_used)
                    .map(|t| t
                        .with_timezone(&chrono::Local)
                        .format("%Y-%m-%d %H:%M")
                        .to_string())
                    .unwrap_or_else(|_| p.last_used.clone()),
                p.doc_id,
                p.phrase_code.as_deref().unwrap_or("-"),
                p.title
            );
        }
        say!("\ndocuments (uses, of which sent)");
        for d in &report.documents {
            say!("  {:>4} {:>4}  {}  {}", d.uses, d.sent, d.doc_id, d.title);
        }
    }
    say!("\nnever used: {} phrase(s)", report.never_used.len());
    for u in &report.never_used {
        say!("  {} {}  {}", u.doc_id, u.phrase_code, u.title);
    }
    Ok(ExitCode::SUCCESS)
}

fn review(content: &Path, json: bool) -> CliResult {
    let (loaded, _) = kefu_core::check(content, &SystemClock)?;
    let items = kefu_core::review::items(loaded.docs.iter(), kefu_core::Clock::today(&SystemClock));
    if json {
        println!("{}", serde_json::to_string_pretty(&items)?);
        return Ok(ExitCode::SUCCESS);
    }
    for item in &items {
        for r in &item.reasons {
            let why = match r {
                kefu_core::review::ReviewReason::RuleOverdue { due } => {
                    format!("rule review overdue since {due}")
                }
                kefu_core::review::ReviewReason::RuleChanged {
                    rule_id,
                    rule_updated,
                    doc_updated,
                    ..
                } => format!(
                    "relies on [[{rule_id}]] changed {rule_updated}; this was last updated {}",
                    doc_updated.as_deref().unwrap_or("never")
                ),
            };
            say!("{}  {}  — {why}", item.path, item.title);
        }
    }
    eprintln!("{} document(s) to review", items.len());
    Ok(ExitCode::SUCCESS)
}

fn sync(content: &Path, author: Option<&str>, json: bool) -> CliResult {
    let report = kefu_core::git::Git::new(content).sync(author)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        say!(
            "{:?}: committed {} file(s), pulled {} commit(s), pushed: {}",
            report.outcome,
            report.committed.len(),
            report.pulled,
            report.pushed
        );
        for f in &report.conflicts {
            say!("conflict: {f}");
        }
        if !report.conflicts.is_empty() {
            eprintln!(
                "resolve the files above (keep what you want, delete the <<<<<<< ======= >>>>>>> lines), then run `kefu sync` again"
            );
        }
    }
    Ok(if report.outcome == kefu_core::git::SyncOutcome::Conflict {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn check(content: &Path, json: bool) -> CliResult {
    let (loaded, problems) = kefu_core::check(content, &SystemClock)?;
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    let warnings = problems.len() - errors;
    if json {
        let out = serde_json::json!({
            "files": loaded.files_seen,
            "documents": loaded.docs.len(),
            "errors": errors,
            "warnings": warnings,
            "problems": problems,
        });
        say!("{out}");
    } else {
        for p in &problems {
            say!("{p}");
        }
        eprintln!(
            "{} files, {} documents loaded, {errors} error(s), {warnings} warning(s)",
            loaded.files_seen,
            loaded.docs.len()
        );
    }
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn index(dirs: &Dirs) -> CliResult {
    let started = Instant::now();
    let lib = open(dirs)?;
    let s = lib.last_sync();
    let counts: Vec<String> = lib
        .counts()
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    say!(
        "indexed {} documents ({}) in {} ms: {} added, {} updated, {} removed, {} unchanged{}",
        lib.indexed(),
        counts.join(", "),
        started.elapsed().as_millis(),
        s.added,
        s.updated,
        s.removed,
        s.unchanged,
        s.rebuild_reason
            .as_ref()
            .map(|r| format!(" (rebuilt: {r})"))
            .unwrap_or_default()
    );
    let errors = lib
        .problems()
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    if errors > 0 {
        eprintln!("{errors} content error(s); run `kefu check` for details");
    }
    Ok(ExitCode::SUCCESS)
}

fn search(dirs: &Dirs, args: SearchArgs) -> CliResult {
    let mut opts = SearchOptions {
        limit: args.limit,
        ..SearchOptions::default()
    };
    for k in &args.kinds {
        opts.kinds.push(
            Kind::parse(k)
                .ok_or_else(|| format!("unknown kind `{k}` (playbook, case, rule, drill)"))?,
        );
    }
    for p in &args.platforms {
        opts.platforms.push(Platform::parse(p).ok_or_else(|| {
            format!("unknown platform `{p}` (taobao, tmall, pdd, jd, vip, douyin)")
        })?);
    }
    let mode = match args.mode.as_str() {
        "typed" => MatchMode::Typed,
        "words" => MatchMode::Lexical,
        "meaning" => MatchMode::Dense,
        "hybrid" => MatchMode::Hybrid,
        _ => MatchMode::Auto,
    };
    let lib = open(dirs)?;
    // The model is needed for customer messages only: a typed query stays instant.
    let one = args.query.join(" ");
    if args.queries.is_some()
        || args.interactive
        || one.is_empty()
        || kefu_core::search::message::is_message(&one)
        || matches!(mode, MatchMode::Dense | MatchMode::Hybrid)
    {
        semantic(&lib, dirs);
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if let Some(file) = &args.queries {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let r = lib.search_with(line, &opts, mode)?;
            writeln!(out, "{}", serde_json::to_string(&r)?)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.interactive || (args.query.is_empty() && std::io::stdin().is_terminal()) {
        return interactive(&lib, &opts);
    }
    let query = args.query.join(" ");
    let r = lib.search_with(&query, &opts, mode)?;
    if args.json {
        writeln!(out, "{}", serde_json::to_string(&r)?)?;
    } else {
        print_results(&mut out, &r, std::io::stdout().is_terminal())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn interactive(lib: &Library, opts: &SearchOptions) -> CliResult {
    eprintln!(
        "Kefu 客服宝典 — {} documents. Type a query (催单, cfh, 退款 platform:pdd …); empty line to quit.",
        lib.indexed()
    );
    let stdin = std::io::stdin();
    let color = std::io::stdout().is_terminal();
    loop {
        eprint!("kefu> ");
        std::io::stderr().flush()?;
        let mut line = String::new();
        if stdin.lock().read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        let r = lib.search(line.trim_end_matches(['\n', '\r']), opts)?;
        print_results(&mut std::io::stdout().lock(), &r, color)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn highlight(text: &str, ranges: &[[usize; 2]], color: bool) -> String {
    let (open, close) = if color {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("【", "】")
    };
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if ranges.iter().any(|r| r[0] == i) {
            out.push_str(open);
        }
        let mut one = [0u8; 4];
        out.push_str(&terminal_safe(c.encode_utf8(&mut one)));
        if ranges.iter().any(|r| r[1] == i + 1) {
            out.push_str(close);
        }
    }
    out
}

fn print_results(out: &mut impl Write, r: &SearchResults, color: bool) -> std::io::Result<()> {
    if r.hits.is_empty() {
        writeln!(
            out,
            "no results for `{}` (try other words, pinyin initials such as cfh, or remove a filter)",
            terminal_safe(&r.query)
        )?;
        return Ok(());
    }
    for (i, h) in r.hits.iter().enumerate() {
        let platforms = if h.platforms.is_empty() {
            "全平台".to_string()
        } else {
            h.platforms
                .iter()
                .map(|p| p.label_zh())
                .collect::<Vec<_>>()
                .join("/")
        };
        writeln!(
            out,
            "{:>2}. [{}] {}  ({}; {})  {:.2}",
            i + 1,
            h.kind.label_zh(),
            terminal_safe(&h.title),
            terminal_safe(&h.id),
            platforms,
            h.score
        )?;
        if !h.snippet.text.is_empty() {
            writeln!(
                out,
                "    {}",
                highlight(&h.snippet.text, &h.snippet.highlights, color)
            )?;
        }
        if let Some(p) = &h.phrase {
            writeln!(
                out,
                "    ▸ {}: {}",
                terminal_safe(&p.code),
                terminal_safe(&p.text)
            )?;
        }
    }
    writeln!(
        out,
        "{} of {} results in {:.1} ms",
        r.hits.len(),
        r.total,
        r.took_us as f64 / 1000.0
    )
}

fn show(dirs: &Dirs, id: &str, json: bool, html: bool) -> CliResult {
    let lib = open(dirs)?;
    let doc = lib.document(id)?;
    if json {
        println!("{}", serde_json::to_string_pretty(doc)?);
    } else if html {
        say!("{}", lib.render_html(id)?);
    } else {
        say!("# {}", doc.title);
        let platforms = if doc.platforms.is_empty() {
            "全平台".to_string()
        } else {
            doc.platforms
                .iter()
                .map(|p| p.label_zh())
                .collect::<Vec<_>>()
                .join(", ")
        };
        say!(
            "{} · {} · {} · {}",
            doc.kind.label_zh(),
            doc.id,
            platforms,
            doc.tags.join(", ")
        );
        if let Some(r) = &doc.rule {
            let date = |d: Option<kefu_core::content::NaiveDate>| {
                d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
            };
            say!(
                "来源: {} · 生效: {} · 复核: {}{}",
                r.source.as_deref().unwrap_or("—"),
                date(r.effective),
                date(r.reviewed),
                if r.needs_review(lib.clock().today()) {
                    " · 待复核"
                } else {
                    ""
                }
            );
        }
        for p in &doc.phrases {
            say!("\n[{}] {}\n    {}", p.code, p.when, p.text);
        }
        say!("\n{}", doc.body.trim());
    }
    Ok(ExitCode::SUCCESS)
}

fn drill_list(dirs: &Dirs, json: bool) -> CliResult {
    let lib = open(dirs)?;
    if json {
        let list: Vec<serde_json::Value> = lib
            .drills()
            .map(|(doc, d)| {
                serde_json::json!({
                    "id": doc.id, "title": doc.title, "category": d.category, "difficulty": d.difficulty,
                    "persona": d.persona, "time_limit_s": d.time_limit_s, "platforms": doc.platforms,
                })
            })
            .collect();
        println!("{}", serde_json::to_string(&list)?);
    } else {
        for (doc, d) in lib.drills() {
            say!(
                "{:<36} {:<6} 难度{} {:<3} {:>3}s  {}",
                doc.id,
                d.category,
                d.difficulty,
                persona(d.persona),
                d.time_limit_s,
                doc.title
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn persona(p: kefu_core::drill::Persona) -> &'static str {
    use kefu_core::drill::Persona;
    match p {
        Persona::Calm => "平和",
        Persona::Anxious => "着急",
        Persona::Angry => "愤怒",
        Persona::Hesitant => "犹豫",
    }
}

/// `--record`: store the attempt as the app does.
struct Record {
    first_response: f64,
    profile: Option<String>,
}

fn drill_score(
    dirs: &Dirs,
    id: &str,
    reply: &str,
    seconds: Option<f64>,
    json: bool,
    record: Option<Record>,
) -> CliResult {
    let lib = open(dirs)?;
    lib.drill(id)?;
    semantic_for(&lib, dirs, Library::scoring_todo);
    let b = match (&record, seconds) {
        (Some(r), Some(total)) => team::record(dirs, &lib, id, reply, total, r)?,
        _ => {
            let timing = seconds.map(|s| kefu_core::drill::Timing {
                total_ms: s * 1000.0,
                pasted_chars: 0,
            });
            lib.score_reply(id, reply, timing)?
        }
    };
    if json {
        println!("{}", serde_json::to_string(&b)?);
        return Ok(ExitCode::SUCCESS);
    }
    say!("得分 {}/100", b.score);
    for c in &b.components {
        say!("  {:<10} {:>6.1} / {:.0}", c.name.as_str(), c.points, c.max);
    }
    for e in &b.elements {
        say!("  ✓ {}: “{}”", e.label, e.matched);
    }
    for f in &b.facts {
        say!("  ✓ 事实 {}: “{}”", f.text, f.matched);
    }
    let link = |rule: &Option<String>| {
        rule.as_ref()
            .map(|r| format!(" [[{r}]]"))
            .unwrap_or_default()
    };
    for m in &b.missing {
        say!("  ✗ 缺少 {}（{}）{}", m.name, m.hint, link(&m.rule));
    }
    for m in &b.mistakes {
        say!(
            "  ✗ 说错了 “{}”：{} −{}{}",
            m.matched,
            m.why,
            m.penalty,
            link(&m.rule)
        );
    }
    for x in &b.banned {
        say!("  ⚠ {}: “{}” −{}", x.group, x.word, x.penalty);
    }
    say!(
        "  相似度 {:.2}，最接近的参考回复：{}",
        b.similarity,
        b.closest_reference
    );
    Ok(ExitCode::SUCCESS)
}
