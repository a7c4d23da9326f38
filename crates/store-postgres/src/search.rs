//! The search index: each record's search keys in `search_keys`, written with the record.

use bluelamp_domain::ids::{RecordId, RecordKind};
use bluelamp_domain::record::Record;
use bluelamp_domain::search::search_keys;
use bluelamp_store::{KeyMatch, MAX_SEARCH_KEYS, StoreError, StoreResult};
use sqlx::{PgConnection, Row as _};
use uuid::Uuid;

use crate::convert::{database_error, u32_from_i64};

/// Key rows per `INSERT ... SELECT FROM UNNEST(...)`.
const KEYS_PER_INSERT: usize = 20_000;

/// The `search_keys` rows of `records` as three parallel arrays.
#[derive(Default)]
pub(crate) struct KeyRows {
    keys: Vec<String>,
    record_ids: Vec<Uuid>,
    kinds: Vec<&'static str>,
}

/// The key rows of `records`.
pub(crate) fn key_rows(records: &[Record]) -> KeyRows {
    let mut rows = KeyRows::default();
    for record in records {
        let kind = record.kind().as_str();
        for key in search_keys(&record.body) {
            rows.keys.push(key);
            rows.record_ids.push(*record.id.as_uuid());
            rows.kinds.push(kind);
        }
    }
    rows
}

/// Inserts key rows, a chunk per statement.
pub(crate) async fn insert_keys(conn: &mut PgConnection, rows: &KeyRows) -> StoreResult<()> {
    let chunks = rows
        .keys
        .chunks(KEYS_PER_INSERT)
        .zip(rows.record_ids.chunks(KEYS_PER_INSERT))
        .zip(rows.kinds.chunks(KEYS_PER_INSERT));
    for ((keys, record_ids), kinds) in chunks {
        sqlx::query(
            "INSERT INTO search_keys (key, record_id, kind) \
             SELECT * FROM UNNEST($1::text[], $2::uuid[], $3::text[]) \
             ON CONFLICT DO NOTHING",
        )
        .bind(keys)
        .bind(record_ids)
        .bind(kinds)
        .execute(&mut *conn)
        .await
        .map_err(database_error)?;
    }
    Ok(())
}

/// Replaces the keys of `record`.
pub(crate) async fn replace_keys(conn: &mut PgConnection, record: &Record) -> StoreResult<()> {
    sqlx::query("DELETE FROM search_keys WHERE record_id = $1")
        .bind(*record.id.as_uuid())
        .execute(&mut *conn)
        .await
        .map_err(database_error)?;
    insert_keys(conn, &key_rows(std::slice::from_ref(record))).await
}

/// The records with most of `keys`.
pub(crate) async fn search(
    conn: &mut PgConnection,
    keys: &[String],
    kind: Option<RecordKind>,
    limit: u32,
) -> StoreResult<Vec<KeyMatch>> {
    if keys.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    if keys.len() > MAX_SEARCH_KEYS {
        return Err(StoreError::Database(format!(
            "{} search keys, the most is {MAX_SEARCH_KEYS}",
            keys.len()
        )));
    }
    let rows = sqlx::query(
        "SELECT record_id, COUNT(*) AS matched FROM search_keys \
         WHERE key = ANY($1) AND ($2::text IS NULL OR kind = $2) \
         GROUP BY record_id ORDER BY matched DESC, record_id LIMIT $3",
    )
    .bind(keys)
    .bind(kind.map(RecordKind::as_str))
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await
    .map_err(database_error)?;
    rows.iter()
        .map(|row| {
            let id: Uuid = row.try_get("record_id").map_err(database_error)?;
            let matched: i64 = row.try_get("matched").map_err(database_error)?;
            Ok(KeyMatch {
                id: RecordId::from_uuid(id),
                matched: u32_from_i64(matched, "matched keys")?,
            })
        })
        .collect()
}

/// What the trigram benchmark baseline matches: surname, first forename, VRM, postcode and
/// date of birth of the stored JSON, lowercase, in one string (immutable, so indexable).
const BASELINE_TEXT: &str = "lower(coalesce(body #>> '{body,name,surname}', '') || ' ' || \
     coalesce(body #>> '{body,name,forenames,0}', '') || ' ' || \
     coalesce(body #>> '{body,vrm}', '') || ' ' || \
     coalesce(body #>> '{body,address,postcode}', '') || ' ' || \
     coalesce(body #>> '{body,date_of_birth}', ''))";

/// Creates `pg_trgm` and a GIN trigram index over the baseline text.
pub(crate) async fn prepare_baseline(conn: &mut PgConnection) -> StoreResult<()> {
    sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        .execute(&mut *conn)
        .await
        .map_err(database_error)?;
    let sql = format!(
        "CREATE INDEX IF NOT EXISTS records_baseline_trgm ON records \
         USING gin (({BASELINE_TEXT}) gin_trgm_ops)"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(&mut *conn)
        .await
        .map_err(database_error)?;
    Ok(())
}

/// The trigram search the benchmark compares with: records whose baseline text has a word
/// similar to `text` (`<%`, word similarity, through the GIN index), most similar first.
pub(crate) async fn baseline(
    conn: &mut PgConnection,
    text: &str,
    limit: u32,
) -> StoreResult<Vec<RecordId>> {
    let sql = format!(
        "SELECT id FROM records WHERE $1 <% ({BASELINE_TEXT}) \
         ORDER BY word_similarity($1, {BASELINE_TEXT}) DESC LIMIT $2"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(text.to_lowercase())
        .bind(i64::from(limit))
        .fetch_all(&mut *conn)
        .await
        .map_err(database_error)?;
    rows.iter()
        .map(|row| {
            let id: Uuid = row.try_get("id").map_err(database_error)?;
            Ok(RecordId::from_uuid(id))
        })
        .collect()
}
