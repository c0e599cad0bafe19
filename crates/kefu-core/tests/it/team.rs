//! The team through one git repository and no server: two agents share their practice, the
//! lead syncs and sees both against the team average with a finding for the slow one, assigns
//! a drill that shows first in that agent's drills, and the agent's completion flows back.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use kefu_core::clock::Clock;
use kefu_core::drill::{EventKind, InputEvent, PlanReason};
use kefu_core::practice::SubmitRequest;
use kefu_core::store::DrillMode;
use kefu_core::team::assign::{AssignTarget, NewAssignment};
use kefu_core::team::share::SharingRequest;
use kefu_core::team::view::{FindingCode, Standing};
use kefu_core::{Headless, ManualClock, Workspace};

use crate::util::{copy_tree, repo_root};

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A bare team repository holding the shipped content, and `names` clones of it.
fn team_repo(names: &[&str]) -> (tempfile::TempDir, Vec<PathBuf>) {
    let tmp = tempfile::tempdir().expect("tmp");
    git(
        tmp.path(),
        &["init", "-q", "--bare", "-b", "main", "team.git"],
    );
    git(tmp.path(), &["clone", "-q", "team.git", "seed"]);
    let seed = tmp.path().join("seed");
    copy_tree(&repo_root().join("content"), &seed.join("content"));
    let id = ["-c", "user.name=seed", "-c", "user.email=s@x"];
    git(&seed, &[&id[..], &["add", "."]].concat());
    git(&seed, &[&id[..], &["commit", "-qm", "seed"]].concat());
    git(&seed, &["push", "-q", "origin", "HEAD:main"]);
    let clones = names
        .iter()
        .map(|n| {
            git(tmp.path(), &["clone", "-q", "team.git", n]);
            tmp.path().join(n).join("content")
        })
        .collect();
    (tmp, clones)
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        chrono::DateTime::parse_from_rfc3339("2026-12-01T09:00:00+08:00")
            .expect("t")
            .with_timezone(&chrono::Local),
    ))
}

fn ws(content: &Path, data: PathBuf, clock: &Arc<ManualClock>) -> Arc<Workspace> {
    let c: Arc<dyn Clock> = Arc::clone(clock) as Arc<dyn Clock>;
    Workspace::headless(content.to_path_buf(), data, c, Arc::new(Headless))
}

fn event(t_ms: f64, kind: EventKind, data: Option<&str>) -> InputEvent {
    InputEvent {
        t_ms,
        kind,
        key: None,
        data: data.map(str::to_string),
        input_type: data.map(|_| "insertText".to_string()),
        is_composing: false,
    }
}

/// Answers `drill` with the first reference, the first key after `first_s` seconds.
fn practise(ws: &Workspace, clock: &ManualClock, drill: &str, reply: &str, first_s: f64) {
    clock.set(clock.now() + chrono::Duration::minutes(3));
    let req = SubmitRequest {
        drill_id: drill.to_string(),
        mode: DrillMode::Reply,
        reply: reply.to_string(),
        events: vec![
            event(0.0, EventKind::Shown, None),
            event(first_s * 1000.0, EventKind::Input, Some(reply)),
            event(first_s * 1000.0 + 20_000.0, EventKind::Submit, None),
        ],
        session_id: None,
        found_doc: None,
    };
    ws.drill_submit(req).expect("submitted");
}

fn share(ws: &Workspace, name: &str, id: &str) {
    ws.set_profile_name(name.into()).expect("name");
    let s = ws
        .set_sharing(SharingRequest {
            share: true,
            agent_id: Some(id.into()),
            share_replies: false,
            delete_shared: false,
        })
        .expect("sharing on");
    assert!(s.enabled && s.in_repository, "{s:?}");
}

#[test]
fn two_agents_share_the_lead_sees_both_assigns_and_sees_it_done() {
    let (tmp, clones) = team_repo(&["hong", "ming", "lead"]);
    let clock = clock();
    let hong = ws(&clones[0], tmp.path().join("data-hong"), &clock);
    let ming = ws(&clones[1], tmp.path().join("data-ming"), &clock);
    let lead = ws(&clones[2], tmp.path().join("data-lead"), &clock);

    // Both practise the same drills with the first reference: 小红 starts after 55 s, 小明 after 12 s.
    let drills: Vec<(String, String)> = hong
        .with_library(|lib| {
            Ok(lib
                .drills()
                .filter(|(_, d)| d.category == "催发货")
                .map(|(doc, d)| (doc.id.clone(), d.references[0].clone()))
                .collect())
        })
        .expect("drills");
    assert!(drills.len() >= 3);
    // Practice before sharing is shared too when sharing is turned on.
    practise(&hong, &clock, &drills[0].0, &drills[0].1, 55.0);
    share(&hong, "小红", "xiaohong");
    share(&ming, "小明", "xiaoming");
    for (id, reply) in drills.iter().take(3).cycle().take(6) {
        practise(&hong, &clock, id, reply, 55.0);
        practise(&ming, &clock, id, reply, 12.0);
    }
    let status = hong.share_status().expect("status");
    assert_eq!((status.attempts_shared, status.attempts_local), (7, 7));
    assert!(
        status
            .preview
            .iter()
            .all(|l| l.contains("\"agent\":\"xiaohong\"")),
        "{status:?}"
    );
    hong.git_sync().expect("hong syncs");
    ming.git_sync().expect("ming syncs");

    // The lead pulls and sees both, the averages, and a finding for the slow one.
    lead.set_profile_name("王组长".into()).expect("name");
    lead.git_sync().expect("lead syncs");
    let view = lead.team_view().expect("view");
    assert!(view.problems.is_empty(), "{:?}", view.problems);
    let names: Vec<&str> = view.agents.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, vec!["小红", "小明"]);
    let (h, m) = (&view.agents[0].overall, &view.agents[1].overall);
    assert_eq!(h.first_response_s, Some(55.0));
    assert_eq!(m.first_response_s, Some(12.0));
    assert_eq!(view.team_overall.first_response_s, Some(33.5));
    assert_eq!(h.response_vs, Standing::Worse);
    assert_eq!(m.response_vs, Standing::Better);
    assert_eq!(h.score_vs, Standing::Same, "same replies, same scores");
    let slow: Vec<_> = view
        .findings
        .iter()
        .filter(|f| f.code == FindingCode::SlowResponse)
        .collect();
    assert_eq!(slow.len(), 1, "{:#?}", view.findings);
    assert_eq!(slow[0].agent, "xiaohong");
    assert!(
        slow[0]
            .text_zh
            .starts_with("小红：得分与团队持平，首次响应 55 秒（团队其他人 12 秒）"),
        "{}",
        slow[0].text_zh
    );

    // The lead assigns the finding's first drill to 小红; it reaches her after both sync.
    let assigned = slow[0].drills[0].id.clone();
    let due = (clock.today() + chrono::Duration::days(7)).to_string();
    let a = lead
        .team_assign(NewAssignment {
            to: vec!["xiaohong".into()],
            target: AssignTarget::Drills {
                ids: vec![assigned.clone()],
            },
            due: due.clone(),
            note: Some("先练开场".into()),
        })
        .expect("assigned");
    assert_eq!(a.by.as_deref(), Some("王组长"));
    assert!(lead.problems().expect("problems").is_empty());
    lead.git_sync().expect("lead pushes the assignment");
    assert!(
        ming.git_sync().is_ok() && ming.drill_home().expect("home").assignments.is_empty(),
        "not for 小明"
    );
    hong.git_sync().expect("hong pulls");
    let home = hong.drill_home().expect("home");
    assert_eq!(home.assignments.len(), 1);
    assert_eq!(home.assignments[0].assignment.due, due);
    assert_eq!(home.assignments[0].progress.todo, vec![assigned.clone()]);
    assert_eq!(home.plan[0].drill_id, assigned);
    assert_eq!(home.plan[0].reason, PlanReason::Assigned);

    // 小红 practises it; her completion flows back to the lead.
    practise(
        &hong,
        &clock,
        &assigned,
        "您好亲，在的，请问有什么可以帮您？",
        10.0,
    );
    assert!(
        hong.drill_home().expect("home").assignments.is_empty(),
        "done"
    );
    hong.git_sync().expect("hong pushes");
    lead.git_sync().expect("lead pulls");
    let view = lead.team_view().expect("view");
    let progress = &view.assignments[0].agents;
    assert_eq!(progress.len(), 1);
    assert_eq!(
        (
            progress[0].agent.as_str(),
            progress[0].done,
            progress[0].total
        ),
        ("xiaohong", 1, 1)
    );
    assert!(progress[0].finished_at.is_some());
    let trend = lead.team_agent("xiaohong".into()).expect("trend");
    assert_eq!(trend.recent.len(), 8);
    assert_eq!(trend.weeks.iter().map(|w| w.attempts).sum::<u32>(), 8);

    // Stopping keeps what the team has unless asked; deleting removes it at the next sync.
    let off = |delete| SharingRequest {
        share: false,
        agent_id: None,
        share_replies: false,
        delete_shared: delete,
    };
    let s = ming.set_sharing(off(false)).expect("off");
    assert!(!s.enabled && s.attempts_shared == 6, "{s:?}");
    ming.set_sharing(off(true)).expect("off and delete");
    ming.git_sync().expect("ming pushes the deletion");
    lead.git_sync().expect("lead pulls");
    let names: Vec<String> = lead
        .team_view()
        .expect("view")
        .agents
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names, vec!["小红"]);
}

#[test]
fn hostile_team_files_are_reported_and_the_view_still_opens() {
    let tmp = tempfile::tempdir().expect("tmp");
    let content = tmp.path().join("content");
    copy_tree(&repo_root().join("content"), &content);
    copy_tree(
        &repo_root().join("tests/fixtures/browser/team"),
        &content.join("team"),
    );
    let results = content.join("team/results");
    std::fs::write(results.join("..sneaky.jsonl"), "{}\n").expect("write");
    std::fs::write(results.join("bin.jsonl"), [0u8, 159, 146, 150, 10]).expect("write");
    std::fs::write(
        content.join("team/assignments/bad.yaml"),
        "to: [xiaohong]\ndrills: [drills/none-such]\ndue: 2026-12-09\n",
    )
    .expect("write");
    let clock = clock();
    let w = ws(&content, tmp.path().join("data"), &clock);
    let view = w.team_view().expect("the view opens");
    assert_eq!(view.agents.len(), 4, "every good file is read");
    let at: Vec<(String, usize)> = view
        .problems
        .iter()
        .map(|p| (p.path.clone(), p.line))
        .collect();
    for expected in [
        ("team/results/..sneaky.jsonl", 1),
        ("team/results/bin.jsonl", 1),
        ("team/results/laowang.jsonl", 3),
        ("team/results/laowang.jsonl", 4),
        ("team/assignments/bad.yaml", 2),
    ] {
        assert!(
            at.contains(&(expected.0.to_string(), expected.1)),
            "{expected:?} in {at:?}"
        );
    }
    // `kefu check` reports the bad assignment too (it is content).
    assert!(
        w.problems()
            .expect("problems")
            .iter()
            .any(|p| p.path == "team/assignments/bad.yaml" && p.line == 2)
    );
    // A lead can't be tricked into writing outside the folder.
    assert!(
        w.team_export(
            kefu_core::team::export::ExportFormat::Csv,
            "relative.csv".into()
        )
        .is_err()
    );
}
