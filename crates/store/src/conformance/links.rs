//! Links: round trips, duplicates, missing ends and look-up from either end.

use std::sync::Arc;

use anyhow::{bail, ensure};
use bluelamp_domain::ids::{RecordId, RecordKind};
use bluelamp_domain::link::Link;

use super::{audit, commit, fixtures, insert_committed};
use crate::{Store, StoreError};

/// A link between two stored records comes back exactly as inserted.
pub async fn link_round_trip(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let person = fixtures::record(RecordKind::Person)?;
    let event = fixtures::record(RecordKind::Event)?;
    insert_committed(&store, &[person.clone(), event.clone()]).await?;

    let link = fixtures::link(person.id, event.id)?;
    let mut tx = store.begin().await?;
    tx.insert_link(&link).await?;
    audit(&mut tx, "link.create").await?;
    commit(tx, "insert link").await?;

    let mut tx = store.begin().await?;
    let stored = tx.get_link(link.id()).await?;
    tx.rollback().await?;
    ensure!(stored == Some(link), "link did not round-trip: {stored:?}");
    Ok(())
}

/// Inserting a link whose id exists fails with `AlreadyExists`.
pub async fn duplicate_link_is_already_exists(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let person = fixtures::record(RecordKind::Person)?;
    let object = fixtures::record(RecordKind::Object)?;
    insert_committed(&store, &[person.clone(), object.clone()]).await?;
    let link = fixtures::link(person.id, object.id)?;
    let mut tx = store.begin().await?;
    tx.insert_link(&link).await?;
    let duplicate = tx.insert_link(&link).await;
    ensure!(
        matches!(
            duplicate,
            Err(StoreError::AlreadyExists { what: "link", .. })
        ),
        "duplicate link gave {duplicate:?}"
    );
    audit(&mut tx, "link.create").await?;
    commit(tx, "link with a failed duplicate").await?;
    Ok(())
}

/// A link to or from a record that does not exist fails with `NotFound` naming that record,
/// and nothing is stored.
pub async fn link_to_missing_record_is_not_found(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let person = fixtures::record(RecordKind::Person)?;
    insert_committed(&store, std::slice::from_ref(&person)).await?;
    let missing = RecordId::new();

    let mut tx = store.begin().await?;
    for (link, missing_end) in [
        (fixtures::link(person.id, missing)?, missing),
        (fixtures::link(missing, person.id)?, missing),
    ] {
        match tx.insert_link(&link).await {
            Err(StoreError::NotFound { what: "record", id }) => {
                ensure!(
                    id == missing_end.to_string(),
                    "NotFound names {id}, not {missing_end}"
                );
            }
            other => bail!("link to a missing record gave {other:?}"),
        }
        ensure!(
            tx.get_link(link.id()).await?.is_none(),
            "failed link was stored"
        );
    }
    ensure!(
        tx.links_of(person.id).await?.is_empty(),
        "failed links are listed"
    );
    tx.rollback().await?;
    Ok(())
}

/// `links_of` finds links from either end, in link id order, once each.
pub async fn links_of_from_either_end(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let a = fixtures::record(RecordKind::Person)?;
    let b = fixtures::record(RecordKind::Object)?;
    let c = fixtures::record(RecordKind::Location)?;
    let lonely = fixtures::record(RecordKind::Event)?;
    insert_committed(&store, &[a.clone(), b.clone(), c.clone(), lonely.clone()]).await?;

    let a_to_b = fixtures::link(a.id, b.id)?;
    let c_to_a = fixtures::link(c.id, a.id)?;
    let b_to_c = fixtures::link(b.id, c.id)?;
    let mut tx = store.begin().await?;
    for link in [&a_to_b, &c_to_a, &b_to_c] {
        tx.insert_link(link).await?;
    }
    audit(&mut tx, "link.create").await?;
    commit(tx, "insert links").await?;

    let sorted = |mut links: Vec<Link>| {
        links.sort_by_key(|link| *link.id().as_uuid());
        links
    };
    let mut tx = store.begin().await?;
    let of_a = tx.links_of(a.id).await?;
    ensure!(
        of_a == sorted(vec![a_to_b.clone(), c_to_a.clone()]),
        "links of a: {of_a:?}"
    );
    let of_b = tx.links_of(b.id).await?;
    ensure!(
        of_b == sorted(vec![a_to_b, b_to_c.clone()]),
        "links of b: {of_b:?}"
    );
    let of_c = tx.links_of(c.id).await?;
    ensure!(of_c == sorted(vec![c_to_a, b_to_c]), "links of c: {of_c:?}");
    ensure!(
        tx.links_of(lonely.id).await?.is_empty(),
        "links of an unlinked record"
    );
    tx.rollback().await?;
    Ok(())
}
