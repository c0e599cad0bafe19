//! `kefu bench --team-only`: the lead's view at scale. Generates `agents` agents × `days` days
//! of practice (seeded; ≈ 1M attempts at 200 × 365), then measures, in one run:
//!
//! - reading every results file and building the view in-process (what 组长看板 does; first
//!   call, and the next call that the cache answers), and one agent's trend;
//! - `kefu team --json` as a whole process (content check included), as a lead runs it;
//! - the size of the results files, and of a git repository holding them after `git gc`.

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use kefu_core::clock::Clock;
use kefu_core::{Headless, SystemClock, Workspace};

use super::BenchResult;
use super::rng::Rng;

fn dir_bytes(dir: &Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.filter_map(Result::ok)
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_bytes(&e.path()),
            Ok(t) if t.is_file() => e.metadata().map_or(0, |m| m.len()),
            _ => 0,
        })
        .sum()
}

/// Copies the content folder's files (not hidden ones, not an existing `team/`).
fn copy_content(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let name = e.file_name();
        if name.to_string_lossy().starts_with('.') || name == "team" {
            continue;
        }
        let t = e.file_type()?;
        if t.is_dir() {
            copy_content(&e.path(), &to.join(&name))?;
        } else if t.is_file() {
            std::fs::copy(e.path(), to.join(&name))?;
        }
    }
    Ok(())
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// Writes the generated results files; returns the number of attempts.
fn generate(content: &Path, agents: usize, days: usize, seed: u64) -> BenchResult<u64> {
    let (loaded, _) = kefu_core::check(content, &SystemClock)?;
    let drills: Vec<(String, String)> = loaded
        .docs
        .iter()
        .filter_map(|d| {
            d.drill
                .as_ref()
                .map(|dr| (d.id.clone(), dr.category.clone()))
        })
        .collect();
    if drills.is_empty() {
        return Err("the content has no drills to practise".into());
    }
    let dir = content.join(kefu_core::team::RESULTS_DIR);
    std::fs::create_dir_all(&dir)?;
    let mut rng = Rng::new(seed);
    let now = SystemClock.now().with_timezone(&chrono::Utc);
    let mut total = 0u64;
    for a in 0..agents {
        let id = format!("agent{a:03}");
        let skill = rng.range(55, 90) as i64;
        let first = rng.range(8, 70) as f64;
        let cpm = rng.range(25, 90) as f64;
        let mut f =
            std::io::BufWriter::new(std::fs::File::create(dir.join(format!("{id}.jsonl")))?);
        writeln!(
            f,
            "{{\"v\":1,\"type\":\"profile\",\"agent\":\"{id}\",\"at\":\"{}\",\"name\":\"客服{a:03}\"}}",
            (now - chrono::Duration::days(days as i64))
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        )?;
        for d in (0..days).rev() {
            // ≈ 13.7 attempts a day on average: 1M attempts for 200 agents over a year.
            let n = rng.range(9, 18);
            for k in 0..n {
                let (drill, cat) = &drills[rng.below(drills.len())];
                let at = now - chrono::Duration::days(d as i64)
                    + chrono::Duration::seconds((k * 600 + rng.below(500)) as i64);
                let score = (skill + rng.range(0, 24) as i64 - 12).clamp(0, 100);
                let mode = match rng.below(10) {
                    0 => "accuracy",
                    1 => "find_it",
                    _ => "reply",
                };
                writeln!(
                    f,
                    "{{\"v\":1,\"type\":\"attempt\",\"agent\":\"{id}\",\"at\":\"{}\",\"drill\":\"{drill}\",\"category\":\"{cat}\",\"mode\":\"{mode}\",\"score\":{score},\"parts\":{{\"elements\":{:.1},\"similarity\":{:.1},\"speed\":{:.1}}},\"first_response_ms\":{:.0},\"total_ms\":{:.0},\"cpm\":{:.1},\"kpc\":2.4,\"pasted\":0}}",
                    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    score as f64 * 0.45,
                    score as f64 * 0.3,
                    score as f64 * 0.25,
                    (first + rng.below(10) as f64) * 1000.0,
                    (first + 30.0) * 1000.0,
                    cpm + rng.below(10) as f64,
                )?;
                total += 1;
            }
        }
        f.flush()?;
    }
    Ok(total)
}

fn git(dir: &Path, args: &[&str]) -> BenchResult<()> {
    let out = Command::new("git").current_dir(dir).args(args).output()?;
    if !out.status.success() {
        return Err(format!("git {args:?}: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(())
}

/// Runs the benchmark and writes `<out>/team.md`.
pub(crate) fn run(
    content: &Path,
    out: &Path,
    agents: usize,
    days: usize,
    seed: u64,
) -> BenchResult<()> {
    let work = out.join("team");
    let _ = std::fs::remove_dir_all(&work);
    let kb = work.join("content");
    copy_content(content, &kb)?;
    let t = Instant::now();
    let attempts = generate(&kb, agents, days, seed)?;
    let gen_s = t.elapsed().as_secs_f64();
    let results_bytes = dir_bytes(&kb.join(kefu_core::team::RESULTS_DIR));
    eprintln!(
        "kefu bench: {agents} agents × {days} days = {attempts} attempts ({:.0} MB) in {gen_s:.1} s",
        results_bytes as f64 / 1e6
    );

    // In-process, as the app: the first call reads every file, the next one is answered from
    // the cache until a file changes.
    let ws = Workspace::headless(
        kb.clone(),
        work.join("data"),
        Arc::new(SystemClock),
        Arc::new(Headless),
    );
    let t = Instant::now();
    let view = ws.team_view().map_err(|e| e.message)?;
    let first_ms = ms(t);
    let mut cached = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        ws.team_view().map_err(|e| e.message)?;
        cached.push(ms(t));
    }
    cached.sort_by(f64::total_cmp);
    let t = Instant::now();
    ws.team_agent("agent007".into()).map_err(|e| e.message)?;
    let trend_ms = ms(t);
    if view.attempts != attempts {
        return Err(format!("the view read {} of {attempts} attempts", view.attempts).into());
    }

    // The whole `kefu team --json` process, three times.
    let exe = std::env::current_exe()?;
    let mut cli = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let o = Command::new(&exe)
            .args(["--content"])
            .arg(&kb)
            .args(["team", "--json"])
            .output()?;
        if !o.status.success() {
            return Err(format!("kefu team: {}", String::from_utf8_lossy(&o.stderr)).into());
        }
        cli.push(ms(t));
    }
    cli.sort_by(f64::total_cmp);

    // The repository: results files committed once and packed.
    let repo_ms;
    let repo_bytes = {
        let t = Instant::now();
        git(&kb, &["init", "-q", "-b", "main"])?;
        git(&kb, &["add", "team"])?;
        git(
            &kb,
            &[
                "-c",
                "user.name=bench",
                "-c",
                "user.email=b@x",
                "commit",
                "-qm",
                "a year of practice",
            ],
        )?;
        git(&kb, &["gc", "-q"])?;
        repo_ms = ms(t);
        dir_bytes(&kb.join(".git"))
    };
    let report = format!(
        "## Team view at scale ({agents} agents × {days} days, seed {seed})\n\n\
         | figure | value |\n|---|---|\n\
         | attempts | {attempts} |\n\
         | results files | {:.1} MB ({:.0} bytes per attempt) |\n\
         | git repository after commit + gc | {:.1} MB (commit + gc took {:.1} s) |\n\
         | 组长看板, first open (read every file + view) | {first_ms:.0} ms |\n\
         | 组长看板, again (cached, files unchanged) | median {:.0} ms, max {:.0} ms |\n\
         | one agent's trend (cached files) | {trend_ms:.0} ms |\n\
         | `kefu team --json`, whole process | median {:.0} ms, max {:.0} ms (3 runs) |\n\
         | findings / agents shown | {} / {} |\n",
        results_bytes as f64 / 1e6,
        results_bytes as f64 / attempts.max(1) as f64,
        repo_bytes as f64 / 1e6,
        repo_ms / 1000.0,
        cached[cached.len() / 2],
        cached[cached.len() - 1],
        cli[1],
        cli[2],
        view.findings.len(),
        view.agents.len(),
    );
    print!("{report}");
    std::fs::write(out.join("team.md"), &report)?;
    Ok(())
}
