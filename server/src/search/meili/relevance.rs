//! Questions against the knowledge base: any word may match, and an article scores by how
//! telling its matched words are — what Tantivy's BM25 "should" query gives.
//!
//! Meilisearch has no such mode. Its `last` strategy drops words from the end (a question
//! opening with "I" finds nothing when no article says "I"); `frequency` returned nothing at
//! all in our runs once the remaining words were equally rare ("vpn printer" on a knowledge base
//! with one article for each); and both rank by buckets of words kept, so a rare but idle word
//! ("how", in one title) beats three topical ones. So the engine asks per word (one
//! multi-search: which articles hold it, with Meilisearch's own 0–1 score for how well — field,
//! typos, exactness) and adds up, per article, each matched word's weight (its inverse document
//! frequency) times a factor from ½ (matched in the body, through its stem, with a typo) to 1
//! (exactly, in the title): Tantivy weighs a title match twice a body match. Words no article
//! holds weigh nothing.

/// How many articles one word may bring in. A word in more articles than this is so common
/// that its weight is near zero; the articles past the cut lose only that little.
pub const HITS_PER_WORD: usize = 100;

/// The articles one word matched: (article id, Meilisearch's ranking score 0..=1).
pub struct WordHits {
    /// How many articles hold the word in all (past `HITS_PER_WORD` too).
    pub total: u64,
    pub hits: Vec<(i64, f64)>,
}

/// One ranked article: its score and the words (by index) it matched.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub id: i64,
    pub score: f64,
    pub words: Vec<usize>,
}

/// BM25's inverse document frequency: a word in few of the `articles` weighs much.
fn weight(total: u64, articles: u64) -> f64 {
    let (n, df) = (articles.max(total) as f64, total as f64);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// The best `limit` articles, best first (ties: the lower id, for stable answers).
pub fn rank(per_word: &[WordHits], articles: u64, limit: usize) -> Vec<Ranked> {
    let mut by_id: std::collections::BTreeMap<i64, Ranked> = std::collections::BTreeMap::new();
    for (word, found) in per_word.iter().enumerate() {
        let w = weight(found.total, articles);
        for (id, score) in &found.hits {
            let entry = by_id.entry(*id).or_insert_with(|| Ranked {
                id: *id,
                score: 0.0,
                words: Vec::new(),
            });
            entry.score += w * (0.5 + 0.5 * score.clamp(0.0, 1.0));
            entry.words.push(word);
        }
    }
    let mut ranked: Vec<Ranked> = by_id.into_values().collect();
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
    ranked.truncate(limit);
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(total: u64, hits: &[(i64, f64)]) -> WordHits {
        WordHits {
            total,
            hits: hits.to_vec(),
        }
    }

    #[test]
    fn telling_words_outweigh_a_rare_idle_one() {
        // "how do I change the address on my invoices": "how" is in one title (article 1),
        // "change", "address" and "invoice" are in article 3.
        let per_word = [
            hits(1, &[(1, 0.9)]),
            hits(1, &[(3, 0.8)]),
            hits(3, &[(1, 0.5), (3, 0.9), (6, 0.5)]),
            hits(2, &[(3, 0.9), (4, 0.5)]),
            hits(0, &[]),
        ];
        let ranked = rank(&per_word, 8, 5);
        assert_eq!(ranked[0].id, 3);
        assert_eq!(ranked[0].words, vec![1, 2, 3]);
        assert_eq!(ranked.iter().map(|r| r.id).collect::<Vec<_>>(), vec![3, 1, 4, 6]);
        assert_eq!(rank(&per_word, 8, 2).len(), 2);
    }

    #[test]
    fn common_words_weigh_little_and_no_word_finds_nothing() {
        assert!(weight(1, 1000) > 5.0 * weight(600, 1000));
        assert!(
            weight(1000, 1000) > 0.0,
            "a word in every article still counts a little"
        );
        assert!(rank(&[hits(0, &[])], 10, 5).is_empty());
        assert!(rank(&[], 10, 5).is_empty());
    }
}
