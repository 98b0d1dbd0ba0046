//! Turning a search into Tantivy queries: the text part (stemmed words with typo tolerance,
//! phrases), the caller's rights and the filters — all inside one boolean query, so the
//! engine never returns a document the caller may not see.

use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, FuzzyTermQuery, Occur, PhraseQuery, Query,
    QueryClone, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use crate::search::query::{Access, MAX_QUERY_WORDS, Part, TicketFilters, parts, typo_budget};
use crate::search::tantivy_engine::schema::{TicketFields, as_u64};

/// A text field to search and how much a match in it counts.
#[derive(Debug, Clone, Copy)]
pub struct Weighted {
    pub field: Field,
    pub boost: f32,
}

/// How the words of a text combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// Every word must match (an agent narrowing down tickets).
    All,
    /// Any word may match, more matches rank higher (questions, suggestions).
    Any,
}

#[derive(Debug, Clone, Copy)]
pub struct TextOptions {
    pub combine: Combine,
    pub typos: bool,
    /// The last word may be unfinished (search as you type).
    pub prefix_last: bool,
}

/// Tokens of `text` with their positions, as the index analyzed them.
pub fn analyze(analyzer: &TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut analyzer = analyzer.clone();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push((token.position, token.text.clone()));
    }
    out
}

/// The query for the text (`None` when it holds no searchable word), plus the exact-term
/// query used to highlight snippets.
pub fn text_query(
    analyzer: &TextAnalyzer,
    text: &str,
    fields: &[Weighted],
    options: TextOptions,
) -> Option<(Box<dyn Query>, Box<dyn Query>)> {
    let all_parts = parts(text);
    let last_word = all_parts.iter().rposition(|p| matches!(p, Part::Word(_)));
    let mut clauses: Vec<Box<dyn Query>> = Vec::new();
    let mut exact: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut words = 0;
    for (i, part) in all_parts.iter().enumerate() {
        match part {
            Part::Word(word) => {
                for (_, token) in analyze(analyzer, word) {
                    if words >= MAX_QUERY_WORDS {
                        break;
                    }
                    words += 1;
                    let prefix = options.prefix_last && Some(i) == last_word;
                    // The typo budget follows the word as typed, not its stem.
                    let typos = if options.typos { typo_budget(word) } else { 0 };
                    clauses.push(word_query(&token, fields, typos, prefix));
                    for f in fields {
                        exact.push((Occur::Should, term(f.field, &token)));
                    }
                }
            }
            Part::Phrase(phrase) => {
                let tokens = analyze(analyzer, phrase);
                if tokens.is_empty() {
                    continue;
                }
                let mut per_field: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for f in fields {
                    let q: Box<dyn Query> = if tokens.len() == 1 {
                        term(f.field, &tokens[0].1)
                    } else {
                        let with_offsets = tokens
                            .iter()
                            .map(|(pos, t)| (*pos, Term::from_field_text(f.field, t)))
                            .collect();
                        Box::new(PhraseQuery::new_with_offset(with_offsets))
                    };
                    exact.push((Occur::Should, q.box_clone()));
                    per_field.push((Occur::Should, Box::new(BoostQuery::new(q, f.boost * 2.0))));
                }
                clauses.push(Box::new(BooleanQuery::new(per_field)));
            }
        }
    }
    if clauses.is_empty() {
        return None;
    }
    let occur = match options.combine {
        Combine::All => Occur::Must,
        Combine::Any => Occur::Should,
    };
    let query = BooleanQuery::new(clauses.into_iter().map(|c| (occur, c)).collect());
    Some((Box::new(query), Box::new(BooleanQuery::new(exact))))
}

fn term(field: Field, token: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, token),
        IndexRecordOption::WithFreqsAndPositions,
    ))
}

/// One word in any of the fields: exact (scored by BM25) or, failing that, within the typo
/// budget (a fixed, lower score), or as the start of a longer word.
fn word_query(token: &str, fields: &[Weighted], typos: u8, prefix: bool) -> Box<dyn Query> {
    let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for f in fields {
        any.push((Occur::Should, Box::new(BoostQuery::new(term(f.field, token), f.boost))));
        let t = Term::from_field_text(f.field, token);
        if prefix {
            any.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(FuzzyTermQuery::new_prefix(t.clone(), typos.min(1), true)),
                    f.boost * 0.5,
                )),
            ));
        }
        if typos > 0 {
            any.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(FuzzyTermQuery::new(t, typos, true)),
                    f.boost * 0.3,
                )),
            ));
        }
    }
    Box::new(BooleanQuery::new(any))
}

/// A filter clause: must match, adds nothing to the score.
fn filter(q: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0)))
}

fn u64_term(field: Field, value: u64) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_u64(field, value),
        IndexRecordOption::Basic,
    ))
}

fn str_term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

/// The tickets `access` may see, as a query.
pub fn access_query(f: &TicketFields, access: &Access) -> Option<Box<dyn Query>> {
    match access {
        Access::All => None,
        Access::Agent { user_id, categories } => {
            let mut shared: Vec<Term> = categories
                .iter()
                .map(|c| Term::from_field_u64(f.category, as_u64(*c)))
                .collect();
            // 0 = uncategorised: the shared inbox every agent sees.
            shared.push(Term::from_field_u64(f.category, 0));
            Some(Box::new(BooleanQuery::new(vec![
                (Occur::Should, Box::new(TermSetQuery::new(shared))),
                (Occur::Should, u64_term(f.assignee, as_u64(*user_id))),
            ])))
        }
        Access::Customer {
            user_id,
            company_id,
            only_ticket,
        } => {
            if *user_id <= 0 {
                return Some(Box::new(EmptyQuery));
            }
            let mut owners: Vec<(Occur, Box<dyn Query>)> =
                vec![(Occur::Should, u64_term(f.requester, as_u64(*user_id)))];
            if let Some(c) = company_id.filter(|c| *c > 0) {
                owners.push((Occur::Should, u64_term(f.company, as_u64(c))));
            }
            let mut all: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(BooleanQuery::new(owners)))];
            if let Some(t) = only_ticket {
                all.push((Occur::Must, u64_term(f.id, as_u64(*t))));
            }
            Some(Box::new(BooleanQuery::new(all)))
        }
    }
}

/// Tantivy keeps nanoseconds in an i64 (years 1678 to 2261): a filter bound outside that range
/// (a caller may send any RFC 3339 date) is clamped to its end, which excludes or includes
/// every ticket just the same, instead of overflowing.
fn date(dt: chrono::DateTime<chrono::Utc>) -> tantivy::DateTime {
    let micros = dt.timestamp_micros().clamp(i64::MIN / 1000, i64::MAX / 1000);
    tantivy::DateTime::from_timestamp_micros(micros)
}

/// The whole ticket query: text (or everything), rights, filters.
pub fn ticket_query(
    f: &TicketFields,
    text: Option<Box<dyn Query>>,
    access: &Access,
    filters: &TicketFilters,
) -> Box<dyn Query> {
    let mut all: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text.unwrap_or_else(|| Box::new(AllQuery)))];
    if let Some(q) = access_query(f, access) {
        all.push(filter(q));
    }
    if let Some(s) = &filters.status {
        all.push(filter(str_term(f.status, s)));
    }
    if let Some(c) = filters.category_id {
        all.push(filter(u64_term(f.category, as_u64(c))));
    }
    if let Some(a) = filters.assignee_id {
        all.push(filter(u64_term(f.assignee, as_u64(a))));
    }
    if let Some(r) = filters.requester_id {
        all.push(filter(u64_term(f.requester, as_u64(r))));
    }
    if let Some(t) = &filters.tag {
        all.push(filter(str_term(f.tags, &t.to_lowercase())));
    }
    if filters.created_from.is_some() || filters.created_to.is_some() {
        let lower = filters.created_from.map_or(Bound::Unbounded, |d| {
            Bound::Included(Term::from_field_date(f.created, date(d)))
        });
        let upper = filters.created_to.map_or(Bound::Unbounded, |d| {
            Bound::Excluded(Term::from_field_date(f.created, date(d)))
        });
        all.push(filter(Box::new(RangeQuery::new(lower, upper))));
    }
    Box::new(BooleanQuery::new(all))
}
