//! Drill scoring calibration and the practice round trip, on the shipped content.

use std::sync::Arc;

use kefu_core::drill::{EventKind, InputEvent, MatchBy, ScoreBreakdown};
use kefu_core::practice::{DiffOp, SubmitRequest, Trainer};
use kefu_core::store::{DrillMode, Store};
use serde::Deserialize;

use crate::util::{clock, open, repo_root};

#[derive(Deserialize)]
struct Pair {
    drill: String,
    #[serde(default)]
    kind: String,
    better: String,
    worse: String,
    #[serde(default)]
    why: String,
}

#[derive(Deserialize)]
struct Calibration {
    pairs: Vec<Pair>,
}

/// The shipped content, scored by words only (no encoder: how Kefu scores without the model).
fn words_only() -> kefu_core::Library {
    open(&repo_root().join("content"), None)
}

/// The shipped content with the encoder, scoring by meaning (the app's path), with every text
/// scoring compares with embedded.
fn lib() -> kefu_core::Library {
    let mut lib = open(&repo_root().join("content"), None);
    let s = crate::semantic::shared();
    lib.use_semantic(Arc::clone(&s));
    static EMBEDDING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let guard = EMBEDDING.lock().unwrap_or_else(|e| e.into_inner());
    s.embed_all(&lib.scoring_todo()).expect("embed");
    lib.warm_scoring();
    drop(guard);
    lib
}

fn score(lib: &kefu_core::Library, drill: &str, reply: &str) -> ScoreBreakdown {
    lib.score_reply(drill, reply, None)
        .unwrap_or_else(|e| panic!("{drill}: {e}"))
}

fn pairs(file: &str) -> Vec<Pair> {
    let text = std::fs::read_to_string(repo_root().join("tests/fixtures/drills").join(file))
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    let cal: Calibration = serde_saphyr::from_str(&text).expect("valid YAML");
    cal.pairs
}

#[test]
fn the_seed_pair_differs_by_at_least_30_points() {
    for (mode, lib) in [("meaning", lib()), ("words", words_only())] {
        let id = "drills/cuifahuo-zhaoji";
        let good = score(
            &lib,
            id,
            "好的亲，我这边给您跟仓库说一下，给您插队优先发货，另外我也给您持续跟进发货进展，感谢您支持",
        );
        let poor = score(&lib, id, "好的，我给您催一下");
        println!(
            "seed pair ({mode}): good {} / poor {}",
            good.score, poor.score
        );
        assert!(
            good.score >= poor.score + 30,
            "{mode}: good {} poor {}",
            good.score,
            poor.score
        );
    }
}

/// Pairs of `file` ordered right, per kind: `(kind, right, total, misordered lines)`.
fn ordered(
    lib: &kefu_core::Library,
    file: &str,
    details: bool,
) -> Vec<(String, usize, usize, Vec<String>)> {
    let mut out: Vec<(String, usize, usize, Vec<String>)> = Vec::new();
    for p in pairs(file) {
        let kind = if p.kind.is_empty() {
            "all".to_string()
        } else {
            p.kind.clone()
        };
        let b = score(lib, &p.drill, &p.better);
        let w = score(lib, &p.drill, &p.worse);
        let i = match out.iter().position(|(k, ..)| *k == kind) {
            Some(i) => i,
            None => {
                out.push((kind, 0, 0, Vec::new()));
                out.len() - 1
            }
        };
        out[i].2 += 1;
        if b.score > w.score {
            out[i].1 += 1;
        } else {
            out[i].3.push(format!(
                "{}: better {} <= worse {} — {} | worse: {} | mistakes {:?} banned {:?}",
                p.drill,
                b.score,
                w.score,
                p.why,
                p.worse,
                w.mistakes.iter().map(|m| &m.matched).collect::<Vec<_>>(),
                w.banned.iter().map(|m| &m.group).collect::<Vec<_>>(),
            ));
        }
    }
    for (kind, right, total, wrong) in &out {
        println!("{file} {kind}: {right}/{total} ordered right");
        for w in wrong.iter().filter(|_| details) {
            println!("  misordered: {w}");
        }
    }
    out
}

#[test]
fn graded_pairs_are_ordered_in_at_least_95_percent_of_cases() {
    for (mode, lib) in [("meaning", lib()), ("words", words_only())] {
        println!("— {mode}");
        let res = ordered(&lib, "calibration.yaml", true);
        let (right, total) = res.iter().fold((0, 0), |a, r| (a.0 + r.1, a.1 + r.2));
        assert!(total >= 30, "{total} pairs");
        assert!(right * 100 >= total * 95, "{mode}: {right}/{total}");
    }
}

#[test]
fn every_shipped_drill_scores_its_references_above_its_poor_replies() {
    for (mode, lib) in [("meaning", lib()), ("words", words_only())] {
        let mut checked = 0;
        for (doc, drill) in lib.drills() {
            let refs: Vec<ScoreBreakdown> = drill
                .references
                .iter()
                .map(|r| score(&lib, &doc.id, r))
                .collect();
            // A reference never makes one of its drill's known mistakes.
            for (r, b) in drill.references.iter().zip(&refs) {
                assert!(
                    b.mistakes.is_empty(),
                    "{mode} {}: {r} makes {:?}",
                    doc.id,
                    b.mistakes
                );
            }
            let refs: Vec<u32> = refs.iter().map(|b| b.score).collect();
            let poor: Vec<u32> = drill
                .poor
                .iter()
                .map(|p| score(&lib, &doc.id, &p.text).score)
                .collect();
            let (Some(min_ref), Some(max_poor)) = (refs.iter().min(), poor.iter().max()) else {
                continue;
            };
            assert!(
                min_ref > max_poor,
                "{mode} {}: references {refs:?} vs poor {poor:?}",
                doc.id
            );
            checked += 1;
        }
        assert!(
            checked >= 6,
            "only {checked} drills have both references and poor replies"
        );
    }
}

/// The hard pairs (subtle, length, harmful, paraphrase), by meaning: the reported set and the
/// development set the scorer was tuned on.
#[test]
fn hard_pairs_are_ordered_right_in_each_kind() {
    let lib = lib();
    // Details only for the development set: the reported set is read as counts, so that
    // nothing is tuned to its pairs.
    ordered(&lib, "hard-dev.yaml", true);
    let reported = ordered(&lib, "hard.yaml", false);
    // A second paraphrase set, written later by another helper (copied wording with one
    // clause made wrong in ways no known mistake lists). The burdens an edit can add were
    // chosen on it, so it is a development set now (details shown).
    let second = ordered(&lib, "hard-paraphrase2.yaml", true);
    // … and a third, by a helper who reported only its counts (measured once, never tuned on).
    let third = ordered(&lib, "hard-paraphrase3.yaml", false);
    // … and a blind set of all four kinds (100 pairs over 93 drills), written after the edit
    // check and measured once, never tuned on; read as counts only.
    let blind = ordered(&lib, "hard-blind.yaml", false);
    for (kind, right, total, _) in &blind {
        println!("hard-blind {kind}: {right}/{total}");
    }
    for (kind, right, total, _) in second.iter().chain(&third) {
        assert!(
            right * 100 >= total * 45,
            "later sets {kind}: {right}/{total} ordered right"
        );
    }
    for (kind, right, total, _) in &reported {
        assert!(*total >= 20, "{kind}: only {total} pairs");
        // The target is 90 % in every kind. Copied-but-wrong replies ("paraphrase")
        // are not there yet (docs/benchmarks.md); this floor catches a regression.
        let floor = if kind == "paraphrase" { 80 } else { 90 };
        assert!(
            right * 100 >= total * floor,
            "{kind}: {right}/{total} ordered right, below {floor} %"
        );
    }
    assert_eq!(reported.len(), 4, "the four kinds");
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
    let home = trainer.home(&lib, 5, None).expect("home");
    assert_eq!(home.due_today, 0);
    assert_eq!(home.attempts, 0);
    assert_eq!(home.plan.len(), 5);
    for p in &home.plan {
        let doc = lib.document(&p.drill_id).expect("planned drill exists");
        assert_eq!(p.title, doc.title, "the plan carries each drill's title");
    }
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

#[test]
fn new_hire_slips_are_caught_in_their_own_words_and_not_when_negated() {
    let lib = words_only();
    let groups = |drill: &str, reply: &str| -> Vec<String> {
        score(&lib, drill, reply)
            .banned
            .into_iter()
            .map(|b| b.group)
            .collect()
    };
    let id = "drills/tuikuan-paicuo";
    assert!(
        groups(id, "亲，钱会退成店铺优惠券，下次直接抵扣").contains(&"擅自改退款方式".to_string())
    );
    assert!(
        groups(id, "亲，您先确认收货，我们马上给您退").contains(&"诱导提前确认收货".to_string())
    );
    assert!(groups(id, "您把投诉撤销了我们再给您退款").contains(&"以撤诉为条件".to_string()));
    assert!(groups(id, "退款要扣您5%的手续费").contains(&"另收费用".to_string()));
    for fine in [
        "亲，钱原路退回，另外送您一张优惠券表示歉意",
        "不会扣您任何手续费，您放心",
        "收到货检查没问题再确认收货就好",
        "投诉是您的权利，我这边先把退款给您办好",
    ] {
        assert_eq!(groups(id, fine), Vec::<String>::new(), "{fine}");
    }
}

/// Correct replies written to trip the checks (copies with a negation reworded, conditional
/// rules, double negatives; `good-dev.yaml`, a development set): few are charged a mistake.
#[test]
fn correct_replies_are_rarely_charged_a_mistake() {
    #[derive(Deserialize)]
    struct Good {
        drill: String,
        reply: String,
    }
    #[derive(Deserialize)]
    struct Set {
        replies: Vec<Good>,
    }
    let text = std::fs::read_to_string(repo_root().join("tests/fixtures/drills/good-dev.yaml"))
        .expect("good-dev.yaml");
    let set: Set = serde_saphyr::from_str(&text).expect("valid YAML");
    let lib = lib();
    let (mut reversed, mut any, mut banned) = (0, 0, 0);
    for g in &set.replies {
        let b = score(&lib, &g.drill, &g.reply);
        for m in &b.mistakes {
            println!(
                "  charged {}: {} ({:?}) — {}",
                g.drill, m.matched, m.by, m.text
            );
        }
        reversed += usize::from(b.mistakes.iter().any(|m| m.by == MatchBy::Reversed));
        any += usize::from(!b.mistakes.is_empty());
        banned += usize::from(!b.banned.is_empty());
    }
    let n = set.replies.len();
    println!(
        "good-dev: {any}/{n} charged a mistake ({reversed} as reversed), {banned} a banned word"
    );
    assert!(n >= 100, "{n} replies");
    assert!(reversed * 100 <= n * 2, "{reversed}/{n} called reversed");
    assert!(any * 100 <= n * 10, "{any}/{n} charged a mistake");
    assert!(banned * 100 <= n * 3, "{banned}/{n} charged a banned word");
}

#[test]
fn reciting_a_reference_with_its_yes_turned_to_no_costs_the_points_and_says_which() {
    for (mode, lib) in [("meaning", lib()), ("words", words_only())] {
        let id = "drills/wuliu-waixiang-posun";
        let right = "亲，您别着急，先当面打开检查：拍一下外箱和里面商品的照片，商品没问题就签收；有损坏的话直接拒收就好，退回的运费由我们承担，我今天就给您重新安排发货~";
        let wrong = right
            .replace("有损坏的话直接拒收就好", "有损坏的话也不能拒收")
            .replace("由我们承担", "由您承担");
        let (r, w) = (score(&lib, id, right), score(&lib, id, &wrong));
        let reversed: Vec<(&str, &str)> = w
            .mistakes
            .iter()
            .filter(|m| m.by == MatchBy::Reversed)
            .map(|m| (m.matched.as_str(), m.text.as_str()))
            .collect();
        assert_eq!(
            reversed,
            [
                ("有损坏的话也不能拒收", "有损坏的话直接拒收就好"),
                ("退回的运费由您承担", "退回的运费由我们承担"),
            ],
            "{mode}"
        );
        assert!(
            w.mistakes.iter().all(|m| m.why.contains("参考话术是")),
            "{mode}"
        );
        // The wrong clauses lend no element (承担责任 is not shown by 由您承担).
        assert!(
            w.elements.iter().all(|e| !e.matched.contains("由您承担")),
            "{mode}: {:?}",
            w.elements
        );
        assert!(r.mistakes.is_empty(), "{mode}: {:?}", r.mistakes);
        assert!(
            r.score >= w.score + 50,
            "{mode}: {} vs {}",
            r.score,
            w.score
        );
    }
}
