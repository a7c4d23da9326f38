//! The audit log's index (`audit_index`, `audit_index_records`; migration 0007, with the time
//! bounds and the purpose trigram index of migration 0009): written with each append, read
//! by [`bluelamp_store::AuditReader::search_audit`].
//!
//! A search finds the newest matching sequence numbers first, within the range of sequence
//! numbers a time window allows (from `at_high` and `at_low`), then reads those entries'
//! stored rows. PostgreSQL's planner chooses the index to walk from its statistics (a rare
//! purpose through the trigram index, a common one by walking the newest entries).

use bluelamp_audit::NewEntry;
use bluelamp_store::rows::{audit_index_rows, audit_search_bounds, audit_time_bounds};
use bluelamp_store::{AuditFilter, StoreResult, StoredAuditRow};
use chrono::{DateTime, Utc};
use sqlx::postgres::Postgres;
use sqlx::{PgConnection, QueryBuilder};
use uuid::Uuid;

use crate::convert::{database_error, stored_audit_row};

/// Indexes `entries`, numbered from `first_seq`: one statement for the entries and one for
/// the records they name.
pub(crate) async fn insert(
    conn: &mut PgConnection,
    first_seq: u64,
    entries: &[NewEntry],
) -> StoreResult<()> {
    let rows = audit_index_rows(first_seq, entries)?;
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let first_seq = first.seq;
    let mut seqs = Vec::with_capacity(rows.len());
    let mut ats: Vec<DateTime<Utc>> = Vec::with_capacity(rows.len());
    let mut actors = Vec::with_capacity(rows.len());
    let mut kinds = Vec::with_capacity(rows.len());
    let mut actions = Vec::with_capacity(rows.len());
    let mut purposes: Vec<Option<String>> = Vec::with_capacity(rows.len());
    let mut outcomes = Vec::with_capacity(rows.len());
    let mut record_ids: Vec<Uuid> = Vec::new();
    let mut record_seqs: Vec<i64> = Vec::new();
    for row in rows {
        for record in &row.records {
            record_ids.push(*record);
            record_seqs.push(row.seq);
        }
        seqs.push(row.seq);
        ats.push(row.at);
        actors.push(row.actor);
        kinds.push(row.kind.to_owned());
        actions.push(row.action);
        purposes.push(row.purpose);
        outcomes.push(row.outcome.to_owned());
    }
    let previous_high: Option<DateTime<Utc>> = sqlx::query_scalar(
        "SELECT at_high FROM audit_index WHERE seq < $1 ORDER BY seq DESC LIMIT 1",
    )
    .bind(first_seq)
    .fetch_optional(&mut *conn)
    .await
    .map_err(database_error)?;
    let (highs, lows) = audit_time_bounds(&ats, previous_high);
    if let Some(earliest) = lows.first() {
        // Entries indexed before, stamped later than one of these, now have an entry after
        // them that is earlier (normally none: the index on at_low finds nothing).
        sqlx::query("UPDATE audit_index SET at_low = $1 WHERE at_low > $1 AND seq < $2")
            .bind(earliest)
            .bind(first_seq)
            .execute(&mut *conn)
            .await
            .map_err(database_error)?;
    }
    sqlx::query(
        "INSERT INTO audit_index \
         (seq, at, actor, kind, action, purpose, outcome, at_high, at_low) \
         SELECT * FROM UNNEST($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], \
         $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::timestamptz[])",
    )
    .bind(seqs)
    .bind(ats)
    .bind(actors)
    .bind(kinds)
    .bind(actions)
    .bind(purposes)
    .bind(outcomes)
    .bind(highs)
    .bind(lows)
    .execute(&mut *conn)
    .await
    .map_err(database_error)?;
    if !record_ids.is_empty() {
        sqlx::query(
            "INSERT INTO audit_index_records (record_id, seq) \
             SELECT * FROM UNNEST($1::uuid[], $2::bigint[])",
        )
        .bind(record_ids)
        .bind(record_seqs)
        .execute(&mut *conn)
        .await
        .map_err(database_error)?;
    }
    Ok(())
}

/// `text` as a `LIKE` pattern matching itself anywhere (`\` escapes `%`, `_` and itself).
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len().saturating_add(2));
    pattern.push('%');
    for character in text.chars() {
        if matches!(character, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(character);
    }
    pattern.push('%');
    pattern
}

/// The stored rows of the entries the index says match, newest first.
pub(crate) async fn search(
    conn: &mut PgConnection,
    filter: &AuditFilter,
    before: Option<u64>,
    limit: u32,
) -> StoreResult<Vec<StoredAuditRow>> {
    let bounds = audit_search_bounds(filter, before, limit)?;
    let mut query =
        QueryBuilder::<Postgres>::new("SELECT e.seq, e.leaf, e.leaf_hash FROM (SELECT ");
    // One record's entries are a walk of its primary key, newest first.
    let seq = match filter.record {
        Some(record) => {
            query.push(
                "r.seq AS seq FROM audit_index_records AS r \
                 JOIN audit_index AS i ON i.seq = r.seq \
                 WHERE r.record_id = ",
            );
            query.push_bind(record);
            "r.seq"
        }
        None => {
            query.push("i.seq AS seq FROM audit_index AS i WHERE true");
            "i.seq"
        }
    };
    query.push(" AND ").push(seq).push(" < ");
    query.push_bind(bounds.before);
    if let Some(from) = bounds.from {
        query
            .push(" AND ")
            .push(seq)
            .push(" >= (SELECT seq FROM audit_index WHERE at_high >= ");
        query.push_bind(from);
        query.push(" ORDER BY at_high, seq LIMIT 1) AND i.at >= ");
        query.push_bind(from);
    }
    if let Some(to) = bounds.to {
        query
            .push(" AND ")
            .push(seq)
            .push(" <= (SELECT seq FROM audit_index WHERE at_low < ");
        query.push_bind(to);
        query.push(" ORDER BY at_low DESC, seq DESC LIMIT 1) AND i.at < ");
        query.push_bind(to);
    }
    if let Some(actor) = &filter.actor {
        query.push(" AND i.actor = ").push_bind(actor.clone());
    }
    if let Some(kind) = filter.kind {
        query.push(" AND i.kind = ").push_bind(kind.as_str());
    }
    if let Some(action) = &filter.action {
        query.push(" AND i.action = ").push_bind(action.clone());
    }
    if let Some(purpose) = bounds.purpose {
        // Under the C collation lower() folds ASCII letters only, as AuditFilter::matches
        // does; the expression is the one the trigram index (migration 0009) is built on.
        query
            .push(" AND lower(i.purpose COLLATE \"C\") LIKE ")
            .push_bind(contains_pattern(&purpose));
    }
    query.push(" ORDER BY ").push(seq).push(" DESC LIMIT ");
    query.push_bind(bounds.limit);
    query.push(") AS found JOIN audit_entries AS e ON e.seq = found.seq ORDER BY e.seq DESC");
    // Planned afresh for its values, not as a generic cached plan: whether the trigram
    // index or the newest entries are the better walk depends on the text and the window.
    let rows = query
        .build()
        .persistent(false)
        .fetch_all(&mut *conn)
        .await
        .map_err(database_error)?;
    rows.iter().map(stored_audit_row).collect()
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn contains_pattern_escapes_the_wildcards() {
        assert_eq!(contains_pattern("abc"), "%abc%");
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(contains_pattern(""), "%%");
    }
}
