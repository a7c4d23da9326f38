//! The search index: each record's search keys in `search_keys`, written with the record.

use std::sync::OnceLock;

use bluelamp_domain::ids::{RecordId, RecordKind};
use bluelamp_domain::record::Record;
use bluelamp_domain::search::search_keys;
use bluelamp_store::{KeyMatch, MAX_SEARCH_KEYS, StoreError, StoreResult};
use sqlx::{AssertSqlSafe, Row as _, SqliteConnection};

use crate::convert::{database_error, u32_from_i64, uuid_from_text, uuid_text};

/// Key rows per multi-row `INSERT` (three bind parameters each, below SQLite's 32,766).
const KEYS_PER_INSERT: usize = 2_000;

/// One row of `search_keys`.
pub(crate) struct KeyRow {
    key: String,
    record_id: String,
    kind: &'static str,
}

/// The key rows of `records`.
pub(crate) fn key_rows(records: &[Record]) -> Vec<KeyRow> {
    records
        .iter()
        .flat_map(|record| {
            let record_id = uuid_text(record.id.as_uuid());
            let kind = record.kind().as_str();
            search_keys(&record.body)
                .into_iter()
                .map(move |key| KeyRow {
                    key,
                    record_id: record_id.clone(),
                    kind,
                })
        })
        .collect()
}

/// Inserts key rows with one multi-row `INSERT` per chunk.
pub(crate) async fn insert_keys(conn: &mut SqliteConnection, rows: &[KeyRow]) -> StoreResult<()> {
    static FULL_CHUNK: OnceLock<String> = OnceLock::new();
    for chunk in rows.chunks(KEYS_PER_INSERT) {
        let sql = if chunk.len() == KEYS_PER_INSERT {
            FULL_CHUNK
                .get_or_init(|| insert_sql(KEYS_PER_INSERT))
                .clone()
        } else {
            insert_sql(chunk.len())
        };
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for row in chunk {
            query = query.bind(&row.key).bind(&row.record_id).bind(row.kind);
        }
        query.execute(&mut *conn).await.map_err(database_error)?;
    }
    Ok(())
}

fn insert_sql(rows: usize) -> String {
    let mut sql = String::from("INSERT OR IGNORE INTO search_keys (key, record_id, kind) VALUES ");
    sql.push_str(&vec!["(?,?,?)"; rows].join(","));
    sql
}

/// Replaces the keys of `record`.
pub(crate) async fn replace_keys(conn: &mut SqliteConnection, record: &Record) -> StoreResult<()> {
    sqlx::query("DELETE FROM search_keys WHERE record_id = ?")
        .bind(uuid_text(record.id.as_uuid()))
        .execute(&mut *conn)
        .await
        .map_err(database_error)?;
    insert_keys(conn, &key_rows(std::slice::from_ref(record))).await
}

/// The records with most of `keys`.
pub(crate) async fn search(
    conn: &mut SqliteConnection,
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
    let placeholders = vec!["?"; keys.len()].join(",");
    let kind_filter = if kind.is_some() { " AND kind = ?" } else { "" };
    let sql = format!(
        "SELECT record_id, COUNT(*) AS matched FROM search_keys \
         WHERE key IN ({placeholders}){kind_filter} \
         GROUP BY record_id ORDER BY matched DESC, record_id LIMIT ?"
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for key in keys {
        query = query.bind(key);
    }
    if let Some(kind) = kind {
        query = query.bind(kind.as_str());
    }
    let rows = query
        .bind(i64::from(limit))
        .fetch_all(&mut *conn)
        .await
        .map_err(database_error)?;
    rows.iter()
        .map(|row| {
            let id: String = row.try_get("record_id").map_err(database_error)?;
            let matched: i64 = row.try_get("matched").map_err(database_error)?;
            Ok(KeyMatch {
                id: RecordId::from_uuid(uuid_from_text(&id, "search_keys.record_id")?),
                matched: u32_from_i64(matched, "matched keys")?,
            })
        })
        .collect()
}

/// What the naive benchmark baseline matches: surname, first forename, VRM, postcode and date
/// of birth of the stored JSON, lowercase, in one string.
const BASELINE_TEXT: &str = "lower(coalesce(json_extract(body, '$.body.name.surname'), '') || ' ' || \
     coalesce(json_extract(body, '$.body.name.forenames[0]'), '') || ' ' || \
     coalesce(json_extract(body, '$.body.vrm'), '') || ' ' || \
     coalesce(json_extract(body, '$.body.address.postcode'), '') || ' ' || \
     coalesce(json_extract(body, '$.body.date_of_birth'), ''))";

/// The naive search the benchmark compares with: records whose stored names, VRM, postcode or
/// date of birth contain every one of `words` (`LIKE '%word%'`, a full scan).
pub(crate) async fn baseline(
    conn: &mut SqliteConnection,
    words: &[String],
    limit: u32,
) -> StoreResult<Vec<RecordId>> {
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let conditions = vec![format!("{BASELINE_TEXT} LIKE ?"); words.len()].join(" AND ");
    let sql = format!("SELECT id FROM records WHERE {conditions} LIMIT ?");
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for word in words {
        query = query.bind(format!("%{}%", word.to_lowercase()));
    }
    let rows = query
        .bind(i64::from(limit))
        .fetch_all(&mut *conn)
        .await
        .map_err(database_error)?;
    rows.iter()
        .map(|row| {
            let id: String = row.try_get("id").map_err(database_error)?;
            Ok(RecordId::from_uuid(uuid_from_text(&id, "records.id")?))
        })
        .collect()
}
