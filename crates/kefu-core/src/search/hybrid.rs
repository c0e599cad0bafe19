//! Fusing the lexical ranking (tantivy) with the ranking by meaning (cosine over document units):
//! weighted reciprocal rank fusion. A document's meaning score is its best unit's cosine; ranks,
//! not raw scores, are fused, because e5's cosines sit in a narrow band and BM25 scores have no
//! fixed scale.

use std::collections::HashMap;

use crate::semantic::{Unit, UnitKind};

/// How the two rankings are combined: `score = lexical / (k + rank_lexical) + dense / (k +
/// rank_dense)`, ranks from 1; a ranking a document is absent from adds nothing.
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
/// `(doc id, cosine, phrase index)`, best first.
pub fn best_per_doc(scores: &[(usize, f32)], units: &[Unit]) -> Vec<(String, f32, Option<usize>)> {
    let mut best: HashMap<&str, (f32, Option<(usize, f32)>)> = HashMap::new();
    for &(i, s) in scores {
        let u = &units[i];
        let e = best.entry(u.doc.as_str()).or_insert((f32::MIN, None));
        if s > e.0 {
            e.0 = s;
        }
        if let UnitKind::When(p) = u.kind
            && e.1.is_none_or(|(_, bs)| s > bs)
        {
            e.1 = Some((p, s));
        }
    }
    let mut out: Vec<(String, f32, Option<usize>)> = best
        .into_iter()
        .map(|(d, (s, p))| (d.to_string(), s, p.map(|(i, _)| i)))
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// Fuses two rankings (ids best first) into one `(id, fused score)`, best first.
pub fn fuse(lexical: &[String], dense: &[String], f: &Fusion) -> Vec<(String, f32)> {
    let mut score: HashMap<&str, f32> = HashMap::new();
    for (r, id) in lexical.iter().take(f.depth).enumerate() {
        *score.entry(id).or_default() += f.lexical / (f.k + r as f32 + 1.0);
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
        let out = fuse(&ids(&["a", "b", "c"]), &ids(&["c", "d", "a"]), &f);
        let order: Vec<&str> = out.iter().map(|(d, _)| d.as_str()).collect();
        // a: 1/11 + 1/13; c: 1/13 + 1/11 — a tie broken by id; then b (1/12) and d (1/12).
        assert_eq!(order, vec!["a", "c", "b", "d"]);
        let lex_only = fuse(&ids(&["x", "y"]), &[], &f);
        assert_eq!(lex_only[0].0, "x");
    }

    #[test]
    fn units_pick_the_best_piece_and_phrase() {
        let u = |doc: &str, kind| Unit {
            doc: doc.into(),
            kind,
            text: String::new(),
            key: 0,
        };
        let units = vec![
            u("p", UnitKind::Head),
            u("p", UnitKind::When(0)),
            u("p", UnitKind::When(1)),
            u("r", UnitKind::Passage),
        ];
        let best = best_per_doc(&[(0, 0.80), (1, 0.85), (2, 0.90), (3, 0.88)], &units);
        assert_eq!(best[0], ("p".to_string(), 0.90, Some(1)));
        assert_eq!(best[1], ("r".to_string(), 0.88, None));
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
