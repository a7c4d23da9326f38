//! Search keys: written with records, replaced on update, searched by shared keys.

use std::sync::Arc;

use anyhow::ensure;
use bluelamp_domain::ids::{RecordId, RecordKind};
use bluelamp_domain::record::{Record, RecordBody};
use bluelamp_domain::search::query_keys;
use bluelamp_domain::values::PersonName;

use super::{ALL_KINDS, TamperAccess, audit, commit, fixtures, insert_committed};
use crate::{KeyMatch, Store};

/// Searches `text` in a fresh transaction (rolled back).
async fn search(
    store: &Arc<dyn Store>,
    text: &str,
    kind: Option<RecordKind>,
) -> anyhow::Result<Vec<KeyMatch>> {
    let query = query_keys(text);
    let mut tx = store.begin().await?;
    let found = tx.search_keys(&query.keys, kind, 10).await?;
    tx.rollback().await?;
    Ok(found)
}

fn ids(found: &[KeyMatch]) -> Vec<RecordId> {
    found.iter().map(|hit| hit.id).collect()
}

/// Inserted records are found by a misspelt surname (phonetic), a misread VRM and a postcode
/// without its space, best match first; the kind filter and the limit hold.
pub async fn search_finds_records_by_their_keys(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let records = ALL_KINDS
        .into_iter()
        .map(fixtures::record)
        .collect::<anyhow::Result<Vec<_>>>()?;
    insert_committed(&store, &records).await?;
    let [person, vehicle, location, event] = records.as_slice() else {
        anyhow::bail!("fixture count");
    };

    let found = search(&store, "Smyth", None).await?;
    ensure!(
        ids(&found) == [person.id],
        "misspelt surname found {found:?}"
    );
    let found = search(&store, "alex smyth 01/04/1990", None).await?;
    ensure!(
        found.first().map(|hit| (hit.id, hit.matched)) == Some((person.id, 5)),
        "name and date of birth: {found:?}"
    );
    let found = search(&store, "A8I2 CDE", None).await?;
    ensure!(ids(&found) == [vehicle.id], "misread VRM found {found:?}");
    let found = search(&store, "le16fb", None).await?;
    ensure!(ids(&found) == [location.id], "postcode found {found:?}");
    let found = search(&store, "shop window", None).await?;
    ensure!(
        found.first().map(|hit| (hit.id, hit.matched)) == Some((event.id, 2)),
        "summary words: {found:?}"
    );
    let found = search(&store, "smith granby", Some(RecordKind::Location)).await?;
    ensure!(ids(&found) == [location.id], "kind filter: {found:?}");
    let query = query_keys("smith granby");
    let mut tx = store.begin().await?;
    let limited = tx.search_keys(&query.keys, None, 1).await?;
    let none = tx.search_keys(&[], None, 10).await?;
    let fetched = tx
        .get_records(&[vehicle.id, RecordId::new(), person.id])
        .await?;
    tx.rollback().await?;
    ensure!(limited.len() == 1, "limit 1 gave {limited:?}");
    ensure!(none.is_empty(), "no keys found {none:?}");
    ensure!(
        fetched.len() == 2 && fetched.contains(person) && fetched.contains(vehicle),
        "get_records gave {fetched:?}"
    );
    Ok(())
}

/// Updating a record replaces its keys: the old name no longer finds it, the new one does.
pub async fn update_replaces_search_keys(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let person = fixtures::record(RecordKind::Person)?;
    insert_committed(&store, std::slice::from_ref(&person)).await?;
    let mut renamed = person.clone();
    let RecordBody::Person(body) = &mut renamed.body else {
        anyhow::bail!("fixture is not a person");
    };
    body.name = PersonName::new(["Catherine"], "Nguyen")?;
    body.aliases.clear();
    let mut tx = store.begin().await?;
    tx.update_record(&renamed).await?;
    audit(&mut tx, "record.update").await?;
    commit(tx, "rename").await?;

    ensure!(
        search(&store, "smith", None).await?.is_empty(),
        "the old surname still finds the record"
    );
    let found = search(&store, "Kathryn Nguyen", None).await?;
    ensure!(
        found.first().map(|hit| (hit.id, hit.matched)) == Some((person.id, 4)),
        "new name (phonetic forename, exact surname, the pair) found {found:?}"
    );
    Ok(())
}

/// Records inserted in bulk are stored and indexed like single inserts, and a rolled-back
/// insert leaves no keys behind.
pub async fn bulk_insert_indexes_records(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let records: Vec<Record> = ALL_KINDS
        .into_iter()
        .cycle()
        .take(30)
        .map(fixtures::record)
        .collect::<anyhow::Result<_>>()?;
    let mut tx = store.begin().await?;
    tx.insert_records(&records).await?;
    audit(&mut tx, "record.create").await?;
    commit(tx, "bulk insert").await?;
    let found = search(&store, "AB12CDE", Some(RecordKind::Object)).await?;
    ensure!(found.len() == 8, "bulk vehicles found {}", found.len());

    let extra = fixtures::record(RecordKind::Object)?;
    let mut tx = store.begin().await?;
    tx.insert_records(std::slice::from_ref(&extra)).await?;
    tx.rollback().await?;
    let found = search(&store, "AB12CDE", Some(RecordKind::Object)).await?;
    ensure!(
        found.len() == 8 && !ids(&found).contains(&extra.id),
        "rolled-back insert left keys: {found:?}"
    );

    let mut tx = store.begin().await?;
    let duplicate = tx
        .insert_records(records.get(..1).unwrap_or_default())
        .await;
    tx.rollback().await?;
    ensure!(
        matches!(duplicate, Err(crate::StoreError::AlreadyExists { .. })),
        "duplicate bulk insert gave {duplicate:?}"
    );
    Ok(())
}

/// A fresh index has scheme 0; rebuilding rewrites every record's keys from its body in id
/// order, batch by batch (an index whose keys were lost finds the records again, without
/// duplicate keys), and the scheme recorded persists.
pub async fn reindex_rebuilds_keys_and_records_the_scheme(
    store: Arc<dyn Store>,
    access: &dyn TamperAccess,
) -> anyhow::Result<()> {
    let mut tx = store.begin().await?;
    let fresh = tx.search_scheme().await?;
    let nothing = tx.reindex_records(None, 10).await?;
    tx.rollback().await?;
    ensure!(fresh == 0, "a fresh index has scheme {fresh}");
    ensure!(nothing.is_none(), "an empty store reindexed {nothing:?}");

    let records: Vec<Record> = ALL_KINDS
        .into_iter()
        .cycle()
        .take(5)
        .map(fixtures::record)
        .collect::<anyhow::Result<_>>()?;
    insert_committed(&store, &records).await?;
    let mut ordered: Vec<RecordId> = records.iter().map(|record| record.id).collect();
    ordered.sort();
    // What an index written before the keys existed looks like.
    access.execute_raw("DELETE FROM search_keys").await?;
    ensure!(
        search(&store, "smyth", None).await?.is_empty(),
        "keys survived the delete"
    );

    let mut after = None;
    let mut batches = Vec::new();
    loop {
        let mut tx = store.begin().await?;
        let done = tx.reindex_records(after, 2).await?;
        // A rebuild is not a change of state: it commits without an audit entry.
        commit(tx, "reindex").await?;
        let Some((last, count)) = done else { break };
        batches.push((last, count));
        after = Some(last);
    }
    let expected: Vec<(RecordId, usize)> = [(1, 2), (3, 2), (4, 1)]
        .into_iter()
        .filter_map(|(index, count)| Some((*ordered.get(index)?, count)))
        .collect();
    ensure!(
        batches == expected,
        "batches {batches:?}, expected {expected:?}"
    );

    let found = search(&store, "alex smyth 01/04/1990", Some(RecordKind::Person)).await?;
    ensure!(
        found.len() == 2 && found.iter().all(|hit| hit.matched == 5),
        "after the rebuild: {found:?}"
    );
    // Rebuilding again leaves exactly the same keys.
    let mut tx = store.begin().await?;
    tx.reindex_records(None, 100).await?;
    tx.set_search_scheme(7).await?;
    commit(tx, "reindex again").await?;
    let again = search(&store, "alex smyth 01/04/1990", Some(RecordKind::Person)).await?;
    ensure!(
        again == found,
        "a second rebuild changed the matches: {again:?}"
    );
    let mut tx = store.begin().await?;
    let scheme = tx.search_scheme().await?;
    tx.rollback().await?;
    ensure!(scheme == 7, "scheme read back as {scheme}");
    Ok(())
}
