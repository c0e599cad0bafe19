//! `kefu team …` and `kefu drill score --record`: the team's files from the terminal, doing
//! exactly what the app does (the same core functions, the app's data folder).

use std::path::PathBuf;
use std::process::ExitCode;

use kefu_core::drill::{EventKind, InputEvent, ScoreBreakdown};
use kefu_core::practice::{SubmitRequest, Trainer};
use kefu_core::settings::{Language, Settings};
use kefu_core::store::{DrillMode, Store};
use kefu_core::team::assign::{AssignTarget, NewAssignment};
use kefu_core::team::export::{self, ExportFormat};
use kefu_core::team::share::{self, SharingRequest};
use kefu_core::team::view::{Cell, Standing, TeamView};
use kefu_core::{Clock, Library, SystemClock};

use crate::{CliResult, Dirs, Record, TeamArgs, TeamCommand};

/// The app's data folder (practice database, settings), or `--data`.
fn data_dir(dirs: &Dirs) -> PathBuf {
    dirs.data.clone().unwrap_or_else(kefu_core::app_data_dir)
}

fn open_store(dirs: &Dirs) -> Result<Store, kefu_core::Error> {
    let (store, note) = Store::open(&data_dir(dirs), &SystemClock)?;
    if let Some(note) = note {
        eprintln!("kefu: {note}");
    }
    Ok(store)
}

/// Appends what the results file lacks, as the app does after an attempt (nothing while off).
fn share_local(
    dirs: &Dirs,
    team: &kefu_core::settings::TeamSettings,
    store: &Store,
) -> Result<usize, kefu_core::Error> {
    let name = store.profile_name()?;
    share::sync_local(
        &dirs.content,
        team,
        name.as_deref(),
        store,
        SystemClock.now().with_timezone(&chrono::Utc),
    )
}

/// Scores and records a reply as the app does; shares it when sharing is on.
pub(crate) fn record(
    dirs: &Dirs,
    lib: &Library,
    drill: &str,
    reply: &str,
    total_s: f64,
    r: &Record,
) -> Result<ScoreBreakdown, Box<dyn std::error::Error>> {
    if !(total_s.is_finite() && total_s > 0.0) {
        return Err("--seconds must be a positive number".into());
    }
    let store = open_store(dirs)?;
    if let Some(name) = &r.profile {
        store.set_profile_name(name, &SystemClock)?;
    }
    let first = r.first_response.clamp(0.0, total_s) * 1000.0;
    // A scripted attempt: the message is shown, the whole reply arrives as typed text at the
    // first response, and it is submitted at `total_s` (no key presses are known).
    let events = vec![
        InputEvent {
            t_ms: 0.0,
            kind: EventKind::Shown,
            key: None,
            data: None,
            input_type: None,
            is_composing: false,
        },
        InputEvent {
            t_ms: first,
            kind: EventKind::Input,
            key: None,
            data: Some(reply.to_string()),
            input_type: Some("insertText".into()),
            is_composing: false,
        },
        InputEvent {
            t_ms: total_s * 1000.0,
            kind: EventKind::Submit,
            key: None,
            data: None,
            input_type: None,
            is_composing: false,
        },
    ];
    let req = SubmitRequest {
        drill_id: drill.to_string(),
        mode: DrillMode::Reply,
        reply: reply.to_string(),
        events,
        session_id: Some("cli".into()),
        found_doc: None,
    };
    let result = Trainer {
        store: &store,
        clock: &SystemClock,
    }
    .submit(lib, &req)?;
    let (settings, _) = Settings::load(&data_dir(dirs));
    let shared = share_local(dirs, &settings.team, &store)?;
    eprintln!(
        "kefu: recorded attempt {} (next review {}){}",
        result.attempt_id,
        result.next_due,
        if shared > 0 {
            format!("; {shared} line(s) shared to the team")
        } else {
            String::new()
        }
    );
    Ok(result.breakdown)
}

pub(crate) fn run(dirs: &Dirs, args: TeamArgs) -> CliResult {
    match args.command {
        None => view(dirs, args.json, args.csv, args.xlsx, args.english),
        Some(TeamCommand::Share {
            state,
            agent,
            replies,
            delete,
        }) => share_cmd(dirs, state == "on", agent, replies, delete),
        Some(TeamCommand::Assign {
            drills,
            category,
            first_week,
            to,
            due,
            note,
        }) => {
            let target = if !drills.is_empty() {
                AssignTarget::Drills { ids: drills }
            } else if let Some(name) = category {
                AssignTarget::Category { name }
            } else if first_week {
                AssignTarget::FirstWeek
            } else {
                return Err(
                    "say what to practise: --drill ID, --category NAME or --first-week".into(),
                );
            };
            let to = if to.iter().any(|t| t == "all") {
                Vec::new()
            } else {
                to
            };
            assign(
                dirs,
                NewAssignment {
                    to,
                    target,
                    due,
                    note,
                },
            )
        }
        Some(TeamCommand::Agent { id, json }) => agent(dirs, &id, json),
    }
}

fn load_view(
    dirs: &Dirs,
) -> Result<(TeamView, kefu_core::content::LoadedContent), kefu_core::Error> {
    let (loaded, _) = kefu_core::check(&dirs.content, &SystemClock)?;
    let data = kefu_core::team::results::load(&dirs.content);
    let view =
        kefu_core::team::view_of(&dirs.content, loaded.docs.iter(), &data, SystemClock.now());
    Ok((view, loaded))
}

fn mark(s: Standing) -> &'static str {
    match s {
        Standing::Better => "▲",
        Standing::Worse => "▼",
        _ => " ",
    }
}

fn num(v: Option<f64>, unit: &str) -> String {
    v.map_or("—".into(), |v| format!("{v:.0}{unit}"))
}

/// Pads to `w` display columns (CJK characters are two wide).
fn pad(s: &str, w: usize) -> String {
    let width: usize = s
        .chars()
        .map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 })
        .sum();
    format!("{s}{}", " ".repeat(w.saturating_sub(width)))
}

fn cell_text(c: &Cell) -> [String; 5] {
    [
        format!("{}{}", num(c.score, ""), mark(c.score_vs)),
        format!("{}{}", num(c.first_response_s, "s"), mark(c.response_vs)),
        format!("{}{}", num(c.cpm, ""), mark(c.cpm_vs)),
        c.attempts_7d.to_string(),
        format!("{}{}", c.attempts_30d, mark(c.practice_vs)),
    ]
}

fn view(
    dirs: &Dirs,
    json: bool,
    csv: Option<PathBuf>,
    xlsx: Option<PathBuf>,
    english: bool,
) -> CliResult {
    let (view, _) = load_view(dirs)?;
    let lang = if english { Language::En } else { Language::Zh };
    if let Some(path) = &csv {
        export::write(&view, ExportFormat::Csv, lang, path)?;
        eprintln!("kefu: wrote {}", path.display());
    }
    if let Some(path) = &xlsx {
        export::write(&view, ExportFormat::Xlsx, lang, path)?;
        eprintln!("kefu: wrote {}", path.display());
    }
    for p in &view.problems {
        eprintln!("{p}");
    }
    if json {
        println!("{}", serde_json::to_string(&view)?);
        return Ok(ExitCode::SUCCESS);
    }
    say!(
        "{} agent(s) sharing · {} attempt(s) · each cell: last {} attempts · ▲/▼ better/worse than the team",
        view.agents.len(),
        view.attempts,
        view.window
    );
    if view.agents.is_empty() {
        say!("nobody shares results yet (team/results/ is empty): `kefu team share on --as ID`");
    } else {
        let mut head = format!(
            "{}{}{}{}{}{}",
            pad("", 12),
            pad("得分", 7),
            pad("首次响应", 10),
            pad("字/分", 7),
            pad("7天", 5),
            pad("30天", 6)
        );
        for c in &view.categories {
            head.push_str(&pad(c, 9));
        }
        say!("{head}");
        let line = |name: &str, o: &Cell, cells: Vec<Option<&Cell>>| {
            let t = cell_text(o);
            let mut s = format!(
                "{}{}{}{}{}{}",
                pad(name, 12),
                pad(&t[0], 7),
                pad(&t[1], 10),
                pad(&t[2], 7),
                pad(&t[3], 5),
                pad(&t[4], 6)
            );
            for c in cells {
                s.push_str(&pad(
                    &c.map_or("·".to_string(), |c| cell_text(c)[0].clone()),
                    9,
                ));
            }
            say!("{s}");
        };
        for a in &view.agents {
            line(
                &a.name,
                &a.overall,
                a.cells.iter().map(|c| c.as_ref()).collect(),
            );
        }
        line(
            "团队平均",
            &view.team_overall,
            view.team_cells.iter().map(Some).collect(),
        );
    }
    if !view.findings.is_empty() {
        say!("\nfindings");
        for f in &view.findings {
            let text = if english { &f.text_en } else { &f.text_zh };
            let drills: Vec<&str> = f.drills.iter().map(|d| d.title.as_str()).collect();
            say!("  - {text}");
            if !drills.is_empty() {
                say!("      {}", drills.join("、"));
            }
        }
    }
    if !view.assignments.is_empty() {
        say!("\nassignments");
        for p in &view.assignments {
            let who: Vec<String> = p
                .agents
                .iter()
                .map(|g| {
                    let state = if g.finished_at.is_some() {
                        "完成".to_string()
                    } else if g.overdue {
                        format!("{}/{} 逾期", g.done, g.total)
                    } else {
                        format!("{}/{}", g.done, g.total)
                    };
                    format!("{} {state}", g.name)
                })
                .collect();
            say!(
                "  {} → {} (due {}): {}",
                if english { &p.title_en } else { &p.title_zh },
                if p.assignment.to_all {
                    "all".to_string()
                } else {
                    p.assignment.to.join(", ")
                },
                p.assignment.due,
                who.join(" · ")
            );
        }
    }
    if view.usage.agents > 0 {
        say!(
            "\nphrases: {} use(s) in 30 days by {} agent(s); {} phrase(s) nobody used",
            view.usage.uses_30d,
            view.usage.agents,
            view.usage.never_used_total
        );
        for u in view.usage.most_used.iter().take(5) {
            say!(
                "  {:>4} ({} sent, {} agents)  {} {}",
                u.uses,
                u.sent,
                u.agents,
                u.title,
                u.phrase_code.as_deref().unwrap_or("")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn share_cmd(
    dirs: &Dirs,
    on: bool,
    agent: Option<String>,
    replies: bool,
    delete: bool,
) -> CliResult {
    let data = data_dir(dirs);
    let (mut settings, note) = Settings::load(&data);
    if let Some(note) = note {
        eprintln!("kefu: {note}");
    }
    let req = SharingRequest {
        share: on,
        agent_id: agent,
        share_replies: replies,
        delete_shared: delete,
    };
    settings.team = share::apply_request(&settings.team, &req)?;
    settings.save(&data)?;
    if !on
        && delete
        && let Some(agent) = &settings.team.agent_id
        && share::delete_shared(&dirs.content, agent)?
    {
        eprintln!(
            "kefu: deleted {} (the next `kefu sync` removes it from the repository; git history keeps it)",
            kefu_core::team::results_path(agent)
        );
    }
    let store = open_store(dirs)?;
    let n = share_local(dirs, &settings.team, &store)?;
    let status = share::status(&dirs.content, &settings.team, &store)?;
    say!(
        "sharing {} as {} · {} of {} attempt(s) in {}{}",
        if status.enabled { "on" } else { "off" },
        status.agent_id.as_deref().unwrap_or("-"),
        status.attempts_shared,
        status.attempts_local,
        status.path.as_deref().unwrap_or("-"),
        if n > 0 {
            format!(" ({n} line(s) written now)")
        } else {
            String::new()
        }
    );
    if on && !status.in_repository {
        eprintln!(
            "kefu: {} is not a git repository: nothing reaches the team until it is",
            dirs.content.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn assign(dirs: &Dirs, req: NewAssignment) -> CliResult {
    let (loaded, _) = kefu_core::check(&dirs.content, &SystemClock)?;
    let list: Vec<(&str, &str, &str)> = loaded
        .docs
        .iter()
        .filter_map(|d| {
            d.drill
                .as_ref()
                .map(|dr| (d.id.as_str(), d.title.as_str(), dr.category.as_str()))
        })
        .collect();
    let by = Store::open(&data_dir(dirs), &SystemClock)
        .ok()
        .and_then(|(s, _)| s.profile_name().ok().flatten());
    let a = kefu_core::team::assign::create(
        &dirs.content,
        &req,
        &list,
        by.as_deref(),
        SystemClock.now(),
    )?;
    say!("{}", a.path);
    eprintln!("kefu: `kefu sync` shares it with the team");
    Ok(ExitCode::SUCCESS)
}

fn agent(dirs: &Dirs, id: &str, json: bool) -> CliResult {
    let (loaded, _) = kefu_core::check(&dirs.content, &SystemClock)?;
    let data = kefu_core::team::results::load(&dirs.content);
    let now = SystemClock.now();
    let view = kefu_core::team::view_of(&dirs.content, loaded.docs.iter(), &data, now);
    let cat = kefu_core::team::view::Catalogue::from_docs(loaded.docs.iter());
    let trend = kefu_core::team::view::agent_trend(&data, &cat, &view, id, now)?;
    if json {
        println!("{}", serde_json::to_string(&trend)?);
        return Ok(ExitCode::SUCCESS);
    }
    say!("{} ({})", trend.name, trend.id);
    say!("week        attempts  score  first response  cpm   | team score");
    for (w, t) in trend.weeks.iter().zip(&trend.team_weeks) {
        say!(
            "{}  {:>8}  {:>5}  {:>13}  {:>4}  | {:>5}",
            w.week,
            w.attempts,
            num(w.score, ""),
            num(w.first_response_s, "s"),
            num(w.cpm, ""),
            num(t.score, "")
        );
    }
    for f in &trend.findings {
        say!("  - {}", f.text_zh);
    }
    Ok(ExitCode::SUCCESS)
}
