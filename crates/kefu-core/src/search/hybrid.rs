//! Fusing the lexical ranking (tantivy) with the ranking by meaning (cosine over document units):
//! weighted reciprocal rank fusion. A document's meaning score is its best unit's cosine; ranks,
//! not raw scores, are fused, because e5's cosines sit in a narrow band and BM25 scores have no
//! fixed scale.

use std::collections::HashMap;

use crate::semantic::{Unit, UnitKind};

/// How the two rankings are combined: `score = lexical / (k + rank_lexical) + dense / (k +
/// rank_dense)`, ranks from 1; a ranking a document is absent from adds nothing — except that a
/// document the encoder has not reached yet (just added, or still being embedded) stands in
/// the ranking by meaning at its rank by words, so it is not buried for lack of vectors.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fusion {
    /// Rank offset (smaller: the top ranks matter more).
    pub k: f32,
    /// Weight of the lexical ranking.
    pub lexical: f32,
    /// Weight of the ranking by meaning.
    pub dense: f32,
    /// Documents taken from each ranking.
    pub depth: usize,
}

/// The fusion used by default (chosen on the development set, see docs/benchmarks.md).
pub const FUSION: Fusion = Fusion {
    k: 10.0,
    lexical: 1.0,
    dense: 1.0,
    depth: 50,
};

/// Per document, the best unit's cosine, and for playbooks the phrase whose `when` fits best:
/// `(doc id, cosine, phrase index)`, best first, at most `depth` of the documents `keep` accepts.
/// Units carry their document's index, so this is two passes over arrays, no hashing — it runs
/// over every unit (half a million at 100k documents) on each message.
pub fn best_per_doc(
    scores: &[(usize, f32)],
    units: &[Unit],
    keep: &dyn Fn(&str) -> bool,
    depth: usize,
) -> Vec<(String, f32, Option<usize>)> {
    let n = units
        .iter()
        .map(|u| u.doc_ix as usize + 1)
        .max()
        .unwrap_or(0);
    // (best cosine, its unit); (best `when` cosine, its phrase).
    let mut best = vec![(f32::MIN, usize::MAX); n];
    let mut phrase: Vec<(f32, Option<usize>)> = vec![(f32::MIN, None); n];
    for &(i, s) in scores {
        let Some(u) = units.get(i) else { continue };
        let d = u.doc_ix as usize;
        if s > best[d].0 {
            best[d] = (s, i);
        }
        if let UnitKind::When(p) = u.kind
            && s > phrase[d].0
        {
            phrase[d] = (s, Some(p));
        }
    }
    let mut order: Vec<usize> = (0..n).filter(|&d| best[d].1 != usize::MAX).collect();
    let by_score = |a: &usize, b: &usize| {
        best[*b]
            .0
            .total_cmp(&best[*a].0)
            .then_with(|| units[best[*a].1].doc.cmp(&units[best[*b].1].doc))
    };
    // The best few first (a filter may drop some); everything only when that was not enough.
    let few = (depth * 8).max(64);
    let mut out = Vec::with_capacity(depth);
    for pass in 0..2 {
        let slice: &mut [usize] = if pass == 0 && order.len() > few {
            order.select_nth_unstable_by(few, by_score);
            &mut order[..few]
        } else {
            &mut order[..]
        };
        slice.sort_unstable_by(by_score);
        out.clear();
        for &d in slice.iter() {
            let id = &units[best[d].1].doc;
            if keep(id) {
                out.push((id.clone(), best[d].0, phrase[d].1));
                if out.len() == depth {
                    return out;
                }
            }
        }
        if slice.len() == order.len() {
            break;
        }
    }
    out
}

/// Fuses two rankings (ids best first) into one `(id, fused score)`, best first. With a
/// ranking by meaning, `unembedded` names the documents that have no vectors yet.
pub fn fuse(
    lexical: &[String],
    dense: &[String],
    f: &Fusion,
    unembedded: &dyn Fn(&str) -> bool,
) -> Vec<(String, f32)> {
    let mut score: HashMap<&str, f32> = HashMap::new();
    for (r, id) in lexical.iter().take(f.depth).enumerate() {
        let stand_in = if !dense.is_empty() && unembedded(id) {
            f.dense
        } else {
            0.0
        };
        *score.entry(id).or_default() += (f.lexical + stand_in) / (f.k + r as f32 + 1.0);
    }
    for (r, id) in dense.iter().take(f.depth).enumerate() {
        *score.entry(id).or_default() += f.dense / (f.k + r as f32 + 1.0);
    }
    let mut out: Vec<(String, f32)> = score.into_iter().map(|(d, s)| (d.to_string(), s)).collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// Puts the best document of each intent first (in order, without duplicates), then the rest.
pub fn lead_with(intent_best: &[String], ranked: Vec<(String, f32)>) -> Vec<(String, f32)> {
    let top = ranked.first().map_or(0.0, |(_, s)| *s);
    let mut out: Vec<(String, f32)> = Vec::with_capacity(ranked.len());
    for (i, id) in intent_best.iter().enumerate() {
        if !out.iter().any(|(d, _)| d == id) {
            // Scores stay ordered: the leaders sit just above the best fused score.
            out.push((id.clone(), top + (intent_best.len() - i) as f32 * 1e-3));
        }
    }
    out.extend(ranked.into_iter().filter(|(d, _)| !intent_best.contains(d)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn fusion_rewards_agreement_and_keeps_either_side() {
        let f = Fusion {
            k: 10.0,
            lexical: 1.0,
            dense: 1.0,
            depth: 50,
        };
        let all_embedded = |_: &str| false;
        let out = fuse(
            &ids(&["a", "b", "c"]),
            &ids(&["c", "d", "a"]),
            &f,
            &all_embedded,
        );
        let order: Vec<&str> = out.iter().map(|(d, _)| d.as_str()).collect();
        // a: 1/11 + 1/13; c: 1/13 + 1/11 — a tie broken by id; then b (1/12) and d (1/12).
        assert_eq!(order, vec!["a", "c", "b", "d"]);
        let lex_only = fuse(&ids(&["x", "y"]), &[], &f, &|_| true);
        assert_eq!(lex_only[0].0, "x");
        assert!(
            (lex_only[0].1 - 1.0 / 11.0).abs() < 1e-6,
            "no stand-in without meaning"
        );
    }

    #[test]
    fn a_document_without_vectors_is_not_buried() {
        let f = FUSION;
        // "new" is first by words but has no vectors; "b" is second by words, first by meaning.
        let lex = ids(&["new", "b", "c"]);
        let dense = ids(&["b", "c"]);
        let out = fuse(&lex, &dense, &f, &|id| id == "new");
        assert_eq!(out[0].0, "new", "{out:?}");
        // Without the stand-in it would lose to a document both rankings agree on.
        let out = fuse(&lex, &dense, &f, &|_| false);
        assert_eq!(out[0].0, "b", "{out:?}");
    }

    #[test]
    fn units_pick_the_best_piece_and_phrase() {
        let u = |doc: &str, doc_ix, kind| Unit {
            doc: doc.into(),
            doc_ix,
            kind,
            text: String::new(),
            key: 0,
        };
        let units = vec![
            u("p", 0, UnitKind::Head),
            u("p", 0, UnitKind::When(0)),
            u("p", 0, UnitKind::When(1)),
            u("r", 1, UnitKind::Passage),
            u("s", 2, UnitKind::Head),
        ];
        let scores = [(0, 0.80), (1, 0.85), (2, 0.90), (3, 0.88), (4, 0.95)];
        let best = best_per_doc(&scores, &units, &|id| id != "s", 10);
        assert_eq!(best.len(), 2, "the filter leaves s out");
        assert_eq!(best[0], ("p".to_string(), 0.90, Some(1)));
        assert_eq!(best[1], ("r".to_string(), 0.88, None));
        assert_eq!(best_per_doc(&scores, &units, &|_| true, 1)[0].0, "s");
    }

    #[test]
    fn intents_lead() {
        let ranked = vec![
            ("a".to_string(), 0.3),
            ("b".to_string(), 0.2),
            ("c".to_string(), 0.1),
        ];
        let out = lead_with(&ids(&["c", "a"]), ranked);
        let order: Vec<&str> = out.iter().map(|(d, _)| d.as_str()).collect();
        assert_eq!(order, vec!["c", "a", "b"]);
        assert!(out.windows(2).all(|w| w[0].1 >= w[1].1));
    }
}
