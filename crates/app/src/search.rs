//! One-box search over POLE records for the staff workspace.

use bluelamp_audit::LogKind;
use bluelamp_domain::ids::RecordKind;
use bluelamp_domain::marking::Classification;
use bluelamp_domain::object::Object;
use bluelamp_domain::record::{Record, RecordBody};
use bluelamp_domain::search::{
    KEY_SCHEME, QueryTerm, SearchQuery, fold_text, jaro_winkler, query_keys, summary,
};
use bluelamp_domain::values::Purpose;
use bluelamp_policy::{Action, ResourceKind};
use bluelamp_store::MAX_SEARCH_KEYS;

use crate::gate::{AuditFacts, abandon};
use crate::{App, AppError, Principal};

/// Most results [`App::search_records`] returns.
pub const MAX_SEARCH_RESULTS: u32 = 100;

/// Candidates read from the index per result asked for, before ranking.
const CANDIDATES_PER_RESULT: u32 = 5;

/// Records whose search keys one transaction rewrites when the index is rebuilt.
const REINDEX_BATCH: u32 = 2_000;

/// One record found by [`App::search_records`].
#[derive(Clone, Debug, PartialEq)]
pub struct SearchHit {
    /// The record.
    pub record: Record,
    /// How well it matches: the number of search keys it shares with the query plus a
    /// tie-break below 1 (Jaro-Winkler similarity of names and address words, exact
    /// registration marks). Higher is better.
    pub score: f64,
    /// How many of the query's search keys the record has.
    pub matched_keys: u32,
    /// A one-line summary for a list of results.
    pub summary: String,
}

/// What [`App::search_records`] found.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchResults {
    /// The records the caller may read, best first.
    pub hits: Vec<SearchHit>,
    /// What the search box was understood as, one line per term (e.g. `date of birth
    /// 1984-02-29`, `word "smyth"`).
    pub understood: Vec<String>,
}

impl App {
    /// Searches POLE records with one search box: names (spelt or sounding alike), dates of
    /// birth, identifiers, registration marks (allowing for misreads), postcodes, address and
    /// event-summary words (see `bluelamp_domain::search`), optionally of one kind, for a
    /// stated purpose. Authorised as listing records; records the caller may not read are
    /// left out. Audited as one s.62 consultation naming every record returned.
    ///
    /// # Errors
    /// [`AppError::Invalid`] on field `q` for an empty query or one with nothing to search
    /// for, on `limit` outside 1 to [`MAX_SEARCH_RESULTS`]; [`AppError::Forbidden`] (audited)
    /// when the caller may not list records.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn search_records(
        &self,
        who: &Principal,
        text: &str,
        kind: Option<RecordKind>,
        purpose: &Purpose,
        limit: u32,
    ) -> Result<SearchResults, AppError> {
        let inner = &self.inner;
        if limit == 0 || limit > MAX_SEARCH_RESULTS {
            return Err(AppError::invalid(
                "limit",
                "out_of_range",
                format!("limit must be between 1 and {MAX_SEARCH_RESULTS}"),
            ));
        }
        let query = read_query(text)?;
        let mut facts = AuditFacts {
            kind: LogKind::Consultation,
            action: Action::ListRecords,
            purpose: Some(purpose.as_str()),
            records: Vec::new(),
        };
        let collection = inner.resource(
            ResourceKind::RecordCollection,
            "records".to_owned(),
            Classification::Official,
            false,
        );
        inner.authorise(who, &collection, &facts).await?;

        let mut tx = inner.store.begin().await?;
        let candidates = limit.saturating_mul(CANDIDATES_PER_RESULT);
        // Narrowest key set first; stop at the first that finds a page of results.
        let mut matches = Vec::new();
        for keys in query.stages() {
            matches = match tx.search_keys(keys, kind, candidates).await {
                Ok(matches) => matches,
                Err(error) => return abandon(tx, error.into()).await,
            };
            if matches.len() >= usize::try_from(limit).unwrap_or(usize::MAX) {
                break;
            }
        }
        let ids: Vec<_> = matches.iter().map(|hit| hit.id).collect();
        let records = match tx.get_records(&ids).await {
            Ok(records) => records,
            Err(error) => return abandon(tx, error.into()).await,
        };
        let read = AuditFacts {
            kind: LogKind::Consultation,
            action: Action::ReadRecord,
            purpose: Some(purpose.as_str()),
            records: Vec::new(),
        };
        let mut hits: Vec<SearchHit> = records
            .into_iter()
            .filter(|record| {
                let resource = inner.resource_of(record);
                inner.decide(who, &resource, &read)
            })
            .filter_map(|mut record| {
                let matched = matches.iter().find(|hit| hit.id == record.id)?.matched;
                inner.redact(who, &mut record, purpose.as_str());
                let tie_break = tie_break(&query, &record.body);
                Some(SearchHit {
                    score: f64::from(matched) + 0.99 * tie_break,
                    matched_keys: matched,
                    summary: summary(&record.body),
                    record,
                })
            })
            .collect();
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.record.id.cmp(&b.record.id))
        });
        hits.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        facts.records = hits.iter().map(|hit| *hit.record.id.as_uuid()).collect();
        inner.audit_and_commit(who, tx, &facts).await?;
        Ok(SearchResults {
            hits,
            understood: query.terms.iter().map(ToString::to_string).collect(),
        })
    }
}

impl App {
    /// Rebuilds the search index from the records when it was written under an older key
    /// scheme than this build's (`bluelamp_domain::search::KEY_SCHEME`), a batch of records per
    /// transaction, calling `progress` with the number of records done so far after each.
    /// Returns how many records were reindexed, or `None` when the index was current. Safe to
    /// interrupt: the scheme is recorded only once every record is done, so the next start
    /// begins again.
    ///
    /// # Errors
    /// [`AppError::Unavailable`] when the store fails.
    pub async fn refresh_search_index(
        &self,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Option<u64>, AppError> {
        let store = &self.inner.store;
        let mut tx = store.begin().await?;
        let scheme = match tx.search_scheme().await {
            Ok(scheme) => scheme,
            Err(error) => return abandon(tx, error.into()).await,
        };
        tx.rollback().await?;
        if scheme >= KEY_SCHEME {
            return Ok(None);
        }
        tracing::info!(
            from = scheme,
            to = KEY_SCHEME,
            "rebuilding the search index"
        );
        let mut done: u64 = 0;
        let mut after = None;
        loop {
            let mut tx = store.begin().await?;
            let last = match tx.reindex_records(after, REINDEX_BATCH).await {
                Ok(last) => last,
                Err(error) => return abandon(tx, error.into()).await,
            };
            let Some((last, count)) = last else {
                if let Err(error) = tx.set_search_scheme(KEY_SCHEME).await {
                    return abandon(tx, error.into()).await;
                }
                tx.commit().await?;
                break;
            };
            tx.commit().await?;
            after = Some(last);
            done = done.saturating_add(u64::try_from(count).unwrap_or(u64::MAX));
            progress(done);
        }
        tracing::info!(records = done, "search index rebuilt");
        Ok(Some(done))
    }
}

/// Reads the search box or says what is wrong with it.
fn read_query(text: &str) -> Result<SearchQuery, AppError> {
    if text.trim().is_empty() {
        return Err(AppError::invalid(
            "q",
            "empty_query",
            "type a name, date of birth, identifier, registration mark, postcode or words \
             to search for",
        ));
    }
    let query = query_keys(text);
    if query.is_empty() {
        return Err(AppError::invalid(
            "q",
            "nothing_to_search",
            "the search has no letters or digits to look for; type a name, date of birth, \
             identifier, registration mark, postcode or words",
        ));
    }
    if query.keys.len() > MAX_SEARCH_KEYS {
        return Err(AppError::invalid(
            "q",
            "too_long",
            "the search has too many words; use at most 30",
        ));
    }
    Ok(query)
}

/// The tie-break of a record among those sharing as many keys, from 0 to 1.
fn tie_break(query: &SearchQuery, body: &RecordBody) -> f64 {
    let words = query.words();
    match body {
        RecordBody::Person(person) => {
            let mut names: Vec<String> = Vec::new();
            for name in std::iter::once(&person.name).chain(&person.aliases) {
                names.extend(word_list(name.surname()));
                for forename in name.forenames() {
                    names.extend(word_list(forename));
                }
            }
            best_similarity(&words, &names)
        }
        RecordBody::Object(Object::Vehicle(vehicle)) => query
            .terms
            .iter()
            .filter_map(|term| match term {
                QueryTerm::Vrm { typed, .. } => Some(jaro_winkler(typed, vehicle.vrm.as_str())),
                _ => None,
            })
            .fold(0.0, f64::max),
        RecordBody::Location(location) => {
            let Some(address) = location.address() else {
                return 0.0;
            };
            let mut tokens: Vec<String> = Vec::new();
            for line in address
                .lines()
                .iter()
                .map(String::as_str)
                .chain(address.town())
            {
                tokens.extend(word_list(line));
            }
            best_similarity(&words, &tokens)
        }
        RecordBody::Object(_) | RecordBody::Event(_) => 0.0,
    }
}

fn word_list(text: &str) -> Vec<String> {
    fold_text(text).split(' ').map(str::to_owned).collect()
}

/// The mean over `words` of each one's best Jaro-Winkler similarity to any of `candidates`.
fn best_similarity(words: &[&str], candidates: &[String]) -> f64 {
    if words.is_empty() {
        return 0.0;
    }
    let total: f64 = words
        .iter()
        .map(|word| {
            candidates
                .iter()
                .map(|candidate| jaro_winkler(word, candidate))
                .fold(0.0, f64::max)
        })
        .sum();
    total / f64::from(u32::try_from(words.len()).unwrap_or(u32::MAX))
}
