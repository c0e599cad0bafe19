//! Ranking metrics (MRR@k, nDCG@k, Recall@k) and latency percentiles.

use std::collections::HashMap;

/// Relevance judgements of one query: document id → gain (1 = relevant; higher = more).
pub(crate) type Judged = HashMap<String, u32>;

/// Reciprocal rank of the first relevant document within the first `k` (0 when none).
pub(crate) fn reciprocal_rank(ranked: &[String], judged: &Judged, k: usize) -> f64 {
    ranked
        .iter()
        .take(k)
        .position(|id| judged.get(id).is_some_and(|g| *g > 0))
        .map_or(0.0, |i| 1.0 / (i as f64 + 1.0))
}

/// Normalised discounted cumulative gain at `k`, with gain `2^rel - 1` and log2 discount.
pub(crate) fn ndcg(ranked: &[String], judged: &Judged, k: usize) -> f64 {
    let gain = |rel: u32| 2f64.powi(rel as i32) - 1.0;
    let dcg: f64 = ranked
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, id)| gain(judged.get(id).copied().unwrap_or(0)) / (i as f64 + 2.0).log2())
        .sum();
    let mut ideal: Vec<u32> = judged.values().copied().filter(|g| *g > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, rel)| gain(*rel) / (i as f64 + 2.0).log2())
        .sum();
    if idcg == 0.0 { 0.0 } else { dcg / idcg }
}

/// Share of the relevant documents found within the first `k`.
pub(crate) fn recall(ranked: &[String], judged: &Judged, k: usize) -> f64 {
    let relevant = judged.values().filter(|g| **g > 0).count();
    if relevant == 0 {
        return 0.0;
    }
    let found = ranked
        .iter()
        .take(k)
        .filter(|id| judged.get(*id).is_some_and(|g| *g > 0))
        .count();
    found as f64 / relevant as f64
}

/// Mean MRR@k, nDCG@k and Recall@k over queries.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Scores {
    pub(crate) mrr: f64,
    pub(crate) ndcg: f64,
    pub(crate) recall: f64,
    pub(crate) queries: usize,
}

/// Accumulates per-query metrics.
#[derive(Debug, Default)]
pub(crate) struct ScoreSum {
    sum: Scores,
}

impl ScoreSum {
    pub(crate) fn add(&mut self, ranked: &[String], judged: &Judged, k: usize) {
        self.sum.mrr += reciprocal_rank(ranked, judged, k);
        self.sum.ndcg += ndcg(ranked, judged, k);
        self.sum.recall += recall(ranked, judged, k);
        self.sum.queries += 1;
    }

    pub(crate) fn mean(&self) -> Scores {
        let n = self.sum.queries.max(1) as f64;
        Scores {
            mrr: self.sum.mrr / n,
            ndcg: self.sum.ndcg / n,
            recall: self.sum.recall / n,
            queries: self.sum.queries,
        }
    }
}

/// Latency percentiles in microseconds (nearest-rank method).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Latency {
    pub(crate) p50: f64,
    pub(crate) p95: f64,
    pub(crate) p99: f64,
    pub(crate) samples: usize,
}

/// Nearest-rank percentile `p` (0–100) of `sorted` (ascending); 0 when empty.
pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub(crate) fn latency(mut samples_us: Vec<f64>) -> Latency {
    samples_us.sort_by(f64::total_cmp);
    Latency {
        p50: percentile(&samples_us, 50.0),
        p95: percentile(&samples_us, 95.0),
        p99: percentile(&samples_us, 99.0),
        samples: samples_us.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    fn judged(xs: &[(&str, u32)]) -> Judged {
        xs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn reciprocal_rank_is_one_over_first_relevant_position() {
        let j = judged(&[("b", 1), ("d", 1)]);
        assert_eq!(reciprocal_rank(&ids(&["a", "b", "c", "d"]), &j, 10), 0.5);
        assert_eq!(reciprocal_rank(&ids(&["d"]), &j, 10), 1.0);
        assert_eq!(reciprocal_rank(&ids(&["a", "c"]), &j, 10), 0.0);
        // Beyond the cut-off it does not count.
        assert_eq!(reciprocal_rank(&ids(&["a", "c", "b"]), &j, 2), 0.0);
    }

    #[test]
    fn ndcg_matches_a_hand_computed_value() {
        // Relevant at ranks 1 and 3, two relevant in all:
        // DCG = 1/log2(2) + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) = 1.6309...
        let j = judged(&[("a", 1), ("c", 1)]);
        let v = ndcg(&ids(&["a", "b", "c"]), &j, 10);
        assert!((v - 1.5 / (1.0 + 1.0 / 3f64.log2())).abs() < 1e-12, "{v}");
        assert_eq!(ndcg(&ids(&["a", "c"]), &j, 10), 1.0);
        assert_eq!(ndcg(&ids(&["x"]), &j, 10), 0.0);
        // Graded: the better document first is ideal.
        let g = judged(&[("a", 2), ("b", 1)]);
        assert_eq!(ndcg(&ids(&["a", "b"]), &g, 10), 1.0);
        assert!(ndcg(&ids(&["b", "a"]), &g, 10) < 1.0);
    }

    #[test]
    fn recall_counts_relevant_found_in_the_first_k() {
        let j = judged(&[("a", 1), ("b", 1), ("c", 1), ("z", 0)]);
        assert!((recall(&ids(&["a", "x", "b"]), &j, 10) - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(recall(&ids(&["a", "x", "b"]), &j, 1), 1.0 / 3.0);
        assert_eq!(recall(&ids(&["a"]), &judged(&[]), 10), 0.0);
    }

    #[test]
    fn means_and_percentiles() {
        let mut s = ScoreSum::default();
        let j = judged(&[("a", 1)]);
        s.add(&ids(&["a"]), &j, 10);
        s.add(&ids(&["x", "a"]), &j, 10);
        let m = s.mean();
        assert_eq!(m.queries, 2);
        assert_eq!(m.mrr, 0.75);
        assert_eq!(m.recall, 1.0);
        let l = latency((1..=100).map(f64::from).rev().collect());
        assert_eq!((l.p50, l.p95, l.p99, l.samples), (50.0, 95.0, 99.0, 100));
        assert_eq!(percentile(&[], 50.0), 0.0);
        assert_eq!(percentile(&[3.0], 99.0), 3.0);
    }
}
