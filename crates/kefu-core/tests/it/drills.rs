//! Drill scoring calibration and the practice round trip, on the shipped content.

use kefu_core::drill::{EventKind, InputEvent, score};
use kefu_core::practice::{DiffOp, SubmitRequest, Trainer};
use kefu_core::store::{DrillMode, Store};
use serde::Deserialize;

use crate::util::{clock, open, repo_root};

#[derive(Deserialize)]
struct Pair {
    drill: String,
    better: String,
    worse: String,
    #[serde(default)]
    why: String,
}

#[derive(Deserialize)]
struct Calibration {
    pairs: Vec<Pair>,
}

fn lib() -> kefu_core::Library {
    open(&repo_root().join("content"), None)
}

#[test]
fn the_seed_pair_differs_by_at_least_30_points() {
    let lib = lib();
    let (_, drill) = lib.drill("drills/cuifahuo-zhaoji").expect("seed drill");
    let good = score(
        drill,
        lib.lexicon(),
        "好的亲，我这边给您跟仓库说一下，给您插队优先发货，另外我也给您持续跟进发货进展，感谢您支持",
        None,
    );
    let poor = score(drill, lib.lexicon(), "好的，我给您催一下", None);
    println!("seed pair: good {} / poor {}", good.score, poor.score);
    assert!(
        good.score >= poor.score + 30,
        "good {} poor {}",
        good.score,
        poor.score
    );
}

#[test]
fn graded_pairs_are_ordered_in_at_least_95_percent_of_cases() {
    let lib = lib();
    let text = std::fs::read_to_string(repo_root().join("tests/fixtures/drills/calibration.yaml"))
        .expect("calibration set");
    let cal: Calibration = serde_saphyr::from_str(&text).expect("valid YAML");
    assert!(cal.pairs.len() >= 30, "{} pairs", cal.pairs.len());
    let mut wrong = Vec::new();
    for p in &cal.pairs {
        let (_, drill) = lib
            .drill(&p.drill)
            .unwrap_or_else(|e| panic!("{}: {e}", p.drill));
        let b = score(drill, lib.lexicon(), &p.better, None).score;
        let w = score(drill, lib.lexicon(), &p.worse, None).score;
        if b <= w {
            wrong.push(format!(
                "{}: better {b} <= worse {w} ({}) — {}",
                p.drill, p.why, p.better
            ));
        }
    }
    let right = cal.pairs.len() - wrong.len();
    println!(
        "calibration: {right}/{} pairs ordered correctly",
        cal.pairs.len()
    );
    for w in &wrong {
        println!("  misordered: {w}");
    }
    assert!(
        right * 100 >= cal.pairs.len() * 95,
        "{right}/{}:\n{}",
        cal.pairs.len(),
        wrong.join("\n")
    );
}

#[test]
fn every_shipped_drill_scores_its_references_above_its_poor_replies() {
    let lib = lib();
    let mut checked = 0;
    for (doc, drill) in lib.drills() {
        let refs: Vec<u32> = drill
            .references
            .iter()
            .map(|r| score(drill, lib.lexicon(), r, None).score)
            .collect();
        let poor: Vec<u32> = drill
            .poor
            .iter()
            .map(|p| score(drill, lib.lexicon(), &p.text, None).score)
            .collect();
        let (Some(min_ref), Some(max_poor)) = (refs.iter().min(), poor.iter().max()) else {
            continue;
        };
        assert!(
            min_ref > max_poor,
            "{}: references {refs:?} vs poor {poor:?}",
            doc.id
        );
        checked += 1;
    }
    assert!(
        checked >= 6,
        "only {checked} drills have both references and poor replies"
    );
}

fn typed(text: &str, start: f64, per_char_ms: f64) -> Vec<InputEvent> {
    let ev = |t: f64, kind: EventKind| InputEvent {
        t_ms: t,
        kind,
        key: None,
        data: None,
        input_type: None,
        is_composing: false,
    };
    let mut v = vec![ev(start, EventKind::Shown)];
    let mut t = start + 3000.0;
    for c in text.chars() {
        v.push(InputEvent {
            key: Some("Process".into()),
            ..ev(t, EventKind::KeyDown)
        });
        v.push(InputEvent {
            data: Some(c.to_string()),
            ..ev(t + 1.0, EventKind::CompositionEnd)
        });
        t += per_char_ms;
    }
    v.push(ev(t, EventKind::Submit));
    v
}

#[test]
fn a_practice_round_trip_is_scored_stored_and_scheduled() {
    let lib = lib();
    let store = Store::in_memory().expect("store");
    let clock = clock();
    let trainer = Trainer {
        store: &store,
        clock: clock.as_ref(),
    };
    let home = trainer.home(&lib, 5).expect("home");
    assert_eq!(home.due_today, 0);
    assert_eq!(home.attempts, 0);
    assert_eq!(home.plan.len(), 5);
    assert!(home.path[0].unlocked && !home.path[1].unlocked);

    let reply = "好的亲，我这边给您跟仓库说一下，给您插队优先发货，另外我也给您持续跟进发货进展，感谢您支持";
    let req = SubmitRequest {
        drill_id: "drills/cuifahuo-zhaoji".into(),
        mode: DrillMode::Reply,
        reply: reply.into(),
        events: typed(reply, 1000.0, 300.0),
        session_id: Some("s1".into()),
        found_doc: None,
    };
    let result = trainer.submit(&lib, &req).expect("submit");
    assert_eq!(result.metrics.response_ms, Some(3000.0));
    assert_eq!(
        result.metrics.committed_chars as usize,
        reply.chars().count()
    );
    assert!(result.score >= 60, "{}", result.score);
    assert!(!result.references.is_empty());
    let stored = store
        .attempts(Some("drills/cuifahuo-zhaoji"))
        .expect("attempts");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].score, result.score);
    assert!(
        store
            .card("drills/cuifahuo-zhaoji")
            .expect("card")
            .is_some()
    );

    // Accuracy mode: retyping the reference with one wrong character.
    let prompt = Trainer::prompt(&lib, "drills/cuifahuo-zhaoji").expect("prompt");
    let mut retyped: Vec<char> = prompt.retype.chars().collect();
    retyped[2] = '呀';
    let retyped: String = retyped.into_iter().collect();
    let acc = trainer
        .submit(
            &lib,
            &SubmitRequest {
                mode: DrillMode::Accuracy,
                reply: retyped.clone(),
                events: typed(&retyped, 0.0, 200.0),
                ..req
            },
        )
        .expect("accuracy");
    let a = acc.accuracy.expect("accuracy value");
    assert!(a < 1.0 && a > 0.9, "{a}");
    assert!(
        acc.diff.iter().any(|d| d.op == DiffOp::Missing)
            && acc.diff.iter().any(|d| d.op == DiffOp::Extra)
    );
    assert_eq!(
        trainer.progress().expect("progress").points.len(),
        1,
        "only reply attempts are charted"
    );
}
