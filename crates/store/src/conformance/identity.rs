//! Staff identity: credentials, failed sign-ins, sessions, pending sign-ins and teams.

use std::sync::Arc;

use anyhow::{Context as _, ensure};
use bluelamp_audit::truncate_to_micros;
use bluelamp_domain::ids::StaffId;
use chrono::{DateTime, Duration, TimeZone as _, Utc};

use super::{audit, commit, fixtures};
use crate::{
    PendingSignInRow, StaffIdentityRow, StaffRow, StaffSessionRow, StaffVetting, Store, StoreError,
    StoreTx, TeamRow,
};

/// A fixed time with nanoseconds, so that precision loss shows.
fn at(minutes: i64) -> anyhow::Result<DateTime<Utc>> {
    let base = Utc
        .with_ymd_and_hms(2026, 12, 1, 8, 0, 0)
        .single()
        .context("fixture time")?;
    Ok(base + Duration::minutes(minutes) + Duration::nanoseconds(987_654_321))
}

/// Stores `staff` in one audited transaction.
async fn insert_staff(store: &Arc<dyn Store>, staff: &[&StaffRow]) -> anyhow::Result<()> {
    let mut tx = store.begin().await?;
    for row in staff {
        tx.insert_staff(row).await?;
    }
    audit(&mut tx, "staff.create").await?;
    commit(tx, "insert staff").await
}

/// Runs `body` in a transaction that is then rolled back.
async fn read<T>(
    store: &Arc<dyn Store>,
    body: impl AsyncFnOnce(&mut Box<dyn StoreTx>) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let mut tx = store.begin().await?;
    let result = body(&mut tx).await;
    tx.rollback().await?;
    result
}

/// Identity state round-trips (secrets, last step, times to the microsecond, team), an
/// account without any reads as empty, an unknown account as `None`, and accounts can be
/// found by id, listed, given a role and disabled.
pub async fn staff_identity_round_trip(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let staff = fixtures::staff("pc-1001", true)?;
    let other = fixtures::staff("pc-1002", true)?;
    insert_staff(&store, &[&staff, &other]).await?;
    let team = TeamRow {
        id: uuid::Uuid::now_v7(),
        name: "Response Team B".to_owned(),
        created_at: at(0)?,
    };
    let identity = StaffIdentityRow {
        staff_id: staff.id,
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned()),
        totp_secret: Some(vec![7; 20]),
        totp_pending_secret: Some(vec![9; 20]),
        totp_last_step: Some(59_000_123),
        locked_at: Some(at(1)?),
        last_sign_in_at: Some(at(2)?),
        team_id: Some(team.id),
    };
    let mut tx = store.begin().await?;
    tx.insert_team(&team).await?;
    tx.put_staff_identity(&identity).await?;
    tx.set_staff_role(other.id, "supervisor").await?;
    tx.set_staff_active(other.id, false).await?;
    tx.set_staff_vetting(
        other.id,
        &StaffVetting {
            clearance: "SECRET".to_owned(),
            caveats: vec!["LOCSEN".to_owned(), "SOURCE".to_owned()],
        },
    )
    .await?;
    audit(&mut tx, "staff.update").await?;
    commit(tx, "identity").await?;

    let expected = StaffIdentityRow {
        locked_at: identity.locked_at.map(truncate_to_micros),
        last_sign_in_at: identity.last_sign_in_at.map(truncate_to_micros),
        ..identity.clone()
    };
    let (stored, empty, unknown, all, by_id, listed, teams) = read(&store, async |tx| {
        Ok((
            tx.staff_identity(staff.id).await?,
            tx.staff_identity(other.id).await?,
            tx.staff_identity(StaffId::new()).await?,
            tx.list_staff_identities().await?,
            tx.staff_by_id(other.id).await?,
            tx.list_staff().await?,
            tx.list_teams().await?,
        ))
    })
    .await?;
    ensure!(stored.as_ref() == Some(&expected), "stored: {stored:?}");
    ensure!(
        empty == Some(StaffIdentityRow::empty(other.id)),
        "account without identity: {empty:?}"
    );
    ensure!(unknown.is_none(), "unknown account: {unknown:?}");
    ensure!(all == vec![expected], "list_staff_identities: {all:?}");
    let changed = StaffRow {
        role: "supervisor".to_owned(),
        active: false,
        vetting: StaffVetting {
            clearance: "SECRET".to_owned(),
            caveats: vec!["LOCSEN".to_owned(), "SOURCE".to_owned()],
        },
        ..fixtures::staff_as_stored(&other)
    };
    ensure!(by_id == Some(changed.clone()), "staff_by_id: {by_id:?}");
    // The account's team is read with it, from its identity state.
    let in_team = StaffRow {
        team_id: Some(team.id),
        ..fixtures::staff_as_stored(&staff)
    };
    ensure!(
        listed == vec![in_team, changed],
        "list_staff by username: {listed:?}"
    );
    ensure!(
        teams
            == vec![TeamRow {
                created_at: truncate_to_micros(team.created_at),
                ..team
            }],
        "teams: {teams:?}"
    );

    // Clearing fields stores NULLs.
    let mut tx = store.begin().await?;
    tx.put_staff_identity(&StaffIdentityRow::empty(staff.id))
        .await?;
    audit(&mut tx, "staff.update").await?;
    commit(tx, "clear identity").await?;
    let cleared = read(&store, async |tx| Ok(tx.staff_identity(staff.id).await?)).await?;
    ensure!(
        cleared == Some(StaffIdentityRow::empty(staff.id)),
        "cleared: {cleared:?}"
    );

    // Vetting of an unknown account is NotFound and changes nothing.
    let mut tx = store.begin().await?;
    let missing = tx
        .set_staff_vetting(StaffId::new(), &StaffVetting::default())
        .await;
    tx.rollback().await?;
    ensure!(
        matches!(missing, Err(StoreError::NotFound { .. })),
        "vetting of an unknown account: {missing:?}"
    );
    Ok(())
}

/// Identity writes about missing accounts or teams fail with `NotFound`; duplicate team names
/// and session hashes with `AlreadyExists`.
pub async fn identity_writes_check_their_references(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let staff = fixtures::staff("pc-2001", true)?;
    insert_staff(&store, &[&staff]).await?;
    let mut tx = store.begin().await?;
    let missing = StaffId::new();
    let result = tx
        .put_staff_identity(&StaffIdentityRow::empty(missing))
        .await;
    ensure!(
        matches!(result, Err(StoreError::NotFound { .. })),
        "identity of missing account: {result:?}"
    );
    let mut with_missing_team = StaffIdentityRow::empty(staff.id);
    with_missing_team.team_id = Some(uuid::Uuid::now_v7());
    let result = tx.put_staff_identity(&with_missing_team).await;
    ensure!(
        matches!(result, Err(StoreError::NotFound { what: "team", .. })),
        "missing team: {result:?}"
    );
    let result = tx.set_staff_role(missing, "officer").await;
    ensure!(
        matches!(result, Err(StoreError::NotFound { .. })),
        "{result:?}"
    );
    let result = tx.set_staff_active(missing, false).await;
    ensure!(
        matches!(result, Err(StoreError::NotFound { .. })),
        "{result:?}"
    );
    let result = tx.insert_failed_sign_in(missing, at(0)?).await;
    ensure!(
        matches!(result, Err(StoreError::NotFound { .. })),
        "{result:?}"
    );

    let team = TeamRow {
        id: uuid::Uuid::now_v7(),
        name: "CID".to_owned(),
        created_at: at(0)?,
    };
    tx.insert_team(&team).await?;
    let same_name = TeamRow {
        id: uuid::Uuid::now_v7(),
        ..team.clone()
    };
    let result = tx.insert_team(&same_name).await;
    ensure!(
        matches!(result, Err(StoreError::AlreadyExists { .. })),
        "duplicate team name: {result:?}"
    );
    let session = StaffSessionRow {
        token_hash: [3; 32],
        staff_id: staff.id,
        created_at: at(0)?,
        last_seen_at: at(0)?,
        ended_at: None,
    };
    tx.insert_staff_session(&session).await?;
    let result = tx.insert_staff_session(&session).await;
    ensure!(
        matches!(result, Err(StoreError::AlreadyExists { .. })),
        "duplicate session: {result:?}"
    );
    audit(&mut tx, "staff.update").await?;
    commit(tx, "after failed writes").await?;
    let teams = read(&store, async |tx| Ok(tx.list_teams().await?)).await?;
    ensure!(teams.len() == 1, "teams: {teams:?}");
    Ok(())
}

/// Failed sign-ins are counted from a time on, per account, and cleared.
pub async fn failed_sign_ins_count_in_a_window(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let staff = fixtures::staff("pc-3001", true)?;
    let other = fixtures::staff("pc-3002", true)?;
    insert_staff(&store, &[&staff, &other]).await?;
    let mut tx = store.begin().await?;
    for minute in [0, 5, 10, 16] {
        tx.insert_failed_sign_in(staff.id, at(minute)?).await?;
    }
    tx.insert_failed_sign_in(other.id, at(10)?).await?;
    audit(&mut tx, "staff.sign_in").await?;
    commit(tx, "failures").await?;

    let counts = read(&store, async |tx| {
        Ok((
            tx.count_failed_sign_ins_since(staff.id, at(0)?).await?,
            tx.count_failed_sign_ins_since(staff.id, at(5)?).await?,
            tx.count_failed_sign_ins_since(staff.id, at(11)?).await?,
            tx.count_failed_sign_ins_since(staff.id, at(17)?).await?,
        ))
    })
    .await?;
    ensure!(counts == (4, 3, 1, 0), "counts: {counts:?}");

    let mut tx = store.begin().await?;
    tx.clear_failed_sign_ins(staff.id).await?;
    audit(&mut tx, "staff.unlock").await?;
    commit(tx, "clear").await?;
    let counts = read(&store, async |tx| {
        Ok((
            tx.count_failed_sign_ins_since(staff.id, at(0)?).await?,
            tx.count_failed_sign_ins_since(other.id, at(0)?).await?,
        ))
    })
    .await?;
    ensure!(counts == (0, 1), "after clear: {counts:?}");
    Ok(())
}

/// Sessions are found with their account outside a transaction, touched forwards only, ended
/// one at a time or all of an account's at once.
pub async fn staff_sessions_open_touch_and_end(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let staff = fixtures::staff("pc-4001", true)?;
    let other = fixtures::staff("pc-4002", true)?;
    insert_staff(&store, &[&staff, &other]).await?;
    let session = |hash: u8, staff_id: StaffId| -> anyhow::Result<StaffSessionRow> {
        Ok(StaffSessionRow {
            token_hash: [hash; 32],
            staff_id,
            created_at: at(0)?,
            last_seen_at: at(0)?,
            ended_at: None,
        })
    };
    let mut tx = store.begin().await?;
    for row in [
        session(1, staff.id)?,
        session(2, staff.id)?,
        session(3, other.id)?,
    ] {
        tx.insert_staff_session(&row).await?;
    }
    audit(&mut tx, "staff.sign_in").await?;
    commit(tx, "sessions").await?;

    let found = store.staff_session(&[1; 32]).await?;
    let expected = StaffSessionRow {
        created_at: truncate_to_micros(at(0)?),
        last_seen_at: truncate_to_micros(at(0)?),
        ..session(1, staff.id)?
    };
    ensure!(
        found == Some((expected.clone(), fixtures::staff_as_stored(&staff))),
        "session with account: {found:?}"
    );
    ensure!(
        store.staff_session(&[9; 32]).await?.is_none(),
        "unknown session found"
    );

    store.touch_staff_session(&[1; 32], at(7)?).await?;
    store.touch_staff_session(&[1; 32], at(3)?).await?;
    let touched = store.staff_session(&[1; 32]).await?.context("session")?.0;
    ensure!(
        touched.last_seen_at == truncate_to_micros(at(7)?),
        "last_seen_at moved back or not at all: {touched:?}"
    );

    let mut tx = store.begin().await?;
    ensure!(
        tx.end_staff_session(&[3; 32], at(8)?).await?,
        "open session not ended"
    );
    ensure!(
        !tx.end_staff_session(&[3; 32], at(9)?).await?,
        "ended twice"
    );
    let ended = tx.end_staff_sessions_of(staff.id, at(10)?).await?;
    ensure!(
        ended == 2,
        "ended {ended} sessions of the account, expected 2"
    );
    audit(&mut tx, "staff.sign_out").await?;
    commit(tx, "end").await?;

    for (hash, when) in [(1_u8, 10), (2, 10), (3, 8)] {
        let row = store
            .staff_session(&[hash; 32])
            .await?
            .context("session")?
            .0;
        ensure!(
            row.ended_at == Some(truncate_to_micros(at(when)?)),
            "session {hash}: {row:?}"
        );
    }
    // An ended session is not touched.
    store.touch_staff_session(&[3; 32], at(30)?).await?;
    let row = store.staff_session(&[3; 32]).await?.context("session")?.0;
    ensure!(
        row.last_seen_at == truncate_to_micros(at(0)?),
        "ended session touched"
    );
    Ok(())
}

/// Pending sign-ins round-trip and are used once; inactivity is judged on the last sign-in
/// or, for accounts never signed in, on creation, and only active accounts are found.
pub async fn pending_sign_ins_and_inactive_staff(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let signed_in_long_ago = fixtures::staff("pc-5001", true)?;
    let signed_in_recently = fixtures::staff("pc-5002", true)?;
    let never_signed_in = fixtures::staff("pc-5003", true)?;
    let disabled = fixtures::staff("pc-5004", false)?;
    insert_staff(
        &store,
        &[
            &signed_in_long_ago,
            &signed_in_recently,
            &never_signed_in,
            &disabled,
        ],
    )
    .await?;
    let pending = PendingSignInRow {
        token_hash: [4; 32],
        staff_id: signed_in_recently.id,
        created_at: at(0)?,
        expires_at: at(5)?,
        used_at: None,
    };
    let mut tx = store.begin().await?;
    tx.insert_pending_sign_in(&pending).await?;
    for (staff, minutes) in [(&signed_in_long_ago, 0), (&signed_in_recently, 60)] {
        let mut identity = StaffIdentityRow::empty(staff.id);
        identity.last_sign_in_at = Some(at(minutes)?);
        tx.put_staff_identity(&identity).await?;
    }
    audit(&mut tx, "staff.sign_in").await?;
    commit(tx, "pending").await?;

    let mut tx = store.begin().await?;
    let found = tx.pending_sign_in(&[4; 32]).await?;
    let expected = PendingSignInRow {
        created_at: truncate_to_micros(at(0)?),
        expires_at: truncate_to_micros(at(5)?),
        ..pending.clone()
    };
    ensure!(found == Some(expected.clone()), "pending: {found:?}");
    ensure!(
        tx.pending_sign_in(&[5; 32]).await?.is_none(),
        "unknown pending found"
    );
    ensure!(
        tx.use_pending_sign_in(&[4; 32], at(1)?).await?,
        "first use refused"
    );
    ensure!(
        !tx.use_pending_sign_in(&[4; 32], at(2)?).await?,
        "second use accepted"
    );
    ensure!(
        !tx.use_pending_sign_in(&[5; 32], at(2)?).await?,
        "unknown pending used"
    );
    audit(&mut tx, "staff.sign_in").await?;
    commit(tx, "use").await?;
    let used = read(&store, async |tx| Ok(tx.pending_sign_in(&[4; 32]).await?)).await?;
    ensure!(
        used.and_then(|row| row.used_at) == Some(truncate_to_micros(at(1)?)),
        "used_at not stored"
    );

    // The fixtures were created on 2026-11-27, before every sign-in above.
    let inactive = read(&store, async |tx| {
        Ok((
            tx.staff_inactive_since(at(30)?).await?,
            tx.staff_inactive_since(at(-60 * 24 * 30)?).await?,
        ))
    })
    .await?;
    ensure!(
        inactive.0 == vec![signed_in_long_ago.id, never_signed_in.id],
        "inactive since 08:30: {:?}",
        inactive.0
    );
    ensure!(
        inactive.1.is_empty(),
        "inactive a month earlier: {:?}",
        inactive.1
    );
    Ok(())
}

/// Identity writes without an audit entry cannot commit, and leave nothing behind.
pub async fn unaudited_identity_writes_are_refused(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let staff = fixtures::staff("pc-6001", true)?;
    insert_staff(&store, &[&staff]).await?;
    let mut identity = StaffIdentityRow::empty(staff.id);
    identity.password_hash = Some("$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA".to_owned());
    let session = StaffSessionRow {
        token_hash: [6; 32],
        staff_id: staff.id,
        created_at: at(0)?,
        last_seen_at: at(0)?,
        ended_at: None,
    };
    for case in 0..6 {
        let mut tx = store.begin().await?;
        match case {
            0 => tx.put_staff_identity(&identity).await?,
            1 => tx.insert_failed_sign_in(staff.id, at(0)?).await?,
            2 => tx.insert_staff_session(&session).await?,
            3 => tx.set_staff_active(staff.id, false).await?,
            4 => tx.set_staff_role(staff.id, "administrator").await?,
            _ => {
                tx.insert_team(&TeamRow {
                    id: uuid::Uuid::now_v7(),
                    name: "Unaudited".to_owned(),
                    created_at: at(0)?,
                })
                .await?;
            }
        }
        let result = tx.commit().await;
        ensure!(
            matches!(result, Err(StoreError::UnauditedWrite)),
            "unaudited write {case} committed: {result:?}"
        );
    }
    let (stored_identity, failures, teams, row) = read(&store, async |tx| {
        Ok((
            tx.staff_identity(staff.id).await?,
            tx.count_failed_sign_ins_since(staff.id, at(-1)?).await?,
            tx.list_teams().await?,
            tx.staff_by_id(staff.id).await?,
        ))
    })
    .await?;
    ensure!(
        stored_identity == Some(StaffIdentityRow::empty(staff.id)),
        "identity persisted: {stored_identity:?}"
    );
    ensure!(failures == 0, "failure persisted");
    ensure!(teams.is_empty(), "team persisted");
    ensure!(
        row == Some(fixtures::staff_as_stored(&staff)),
        "account changed: {row:?}"
    );
    ensure!(
        store.staff_session(&[6; 32]).await?.is_none(),
        "session persisted"
    );
    Ok(())
}
