//! One-box search: found by misspelt names, misread marks and postcodes; audited once.

use anyhow::{Context as _, ensure};
use bluelamp_app::{AppError, NewRecord};
use bluelamp_audit::{LogKind, Outcome};
use bluelamp_domain::ids::RecordKind;
use bluelamp_domain::record::RecordBody;
use bluelamp_domain::values::Purpose;
use bluelamp_policy::Role;
use serde_json::json;

use crate::harness::{FORCE, Harness, new_record};

fn person(forenames: &[&str], surname: &str, dob: &str) -> anyhow::Result<NewRecord> {
    let mut record = new_record(RecordKind::Person)?;
    record.body = serde_json::from_value::<RecordBody>(json!({
        "kind": "person",
        "name": { "forenames": forenames, "surname": surname },
        "date_of_birth": dob,
    }))?;
    Ok(record)
}

pub async fn search_finds_misspelt_names_misread_marks_and_postcodes(
    h: &Harness,
) -> anyhow::Result<()> {
    let officer = h.staff("officer.one", Role::Officer, FORCE).await?;
    let purpose = Purpose::parse("enquiry into BL-42")?;
    let catherine = h
        .app
        .create_record(&officer, person(&["Catherine"], "Smith", "1984-02-29")?)
        .await?;
    let steven = h
        .app
        .create_record(&officer, person(&["Steven"], "Smithers", "1990-01-01")?)
        .await?;
    h.app
        .create_record(&officer, person(&["Priya"], "Patel", "1979-05-05")?)
        .await?;
    let vehicle = h
        .app
        .create_record(&officer, new_record(RecordKind::Object)?)
        .await?;
    let location = h
        .app
        .create_record(&officer, new_record(RecordKind::Location)?)
        .await?;
    h.app
        .create_record(&officer, new_record(RecordKind::Event)?)
        .await?;

    let before = h.audit().await?.len();
    let found = h
        .app
        .search_records(&officer, "kathryn smyth", None, &purpose, 10)
        .await?;
    let first = found.hits.first().context("a hit")?;
    ensure!(
        first.record.id == catherine.id,
        "best hit {:?}",
        first.summary
    );
    ensure!(
        first.summary == "Catherine SMITH, born 1984-02-29",
        "{}",
        first.summary
    );
    ensure!(
        found.understood == ["word \"kathryn\"", "word \"smyth\""],
        "{:?}",
        found.understood
    );
    ensure!(
        !found.hits.iter().any(|hit| hit.record.id == steven.id)
            || found.hits.iter().position(|hit| hit.record.id == steven.id) > Some(0),
        "Smithers ranks below Smith"
    );
    let audit = h.audit().await?;
    ensure!(audit.len() == before + 1, "one entry per search");
    let last = audit.last().context("an entry")?;
    ensure!(last.entry.kind == LogKind::Consultation && last.entry.action == "record.list");
    ensure!(last.entry.purpose.as_deref() == Some("enquiry into BL-42"));
    let returned: Vec<_> = found
        .hits
        .iter()
        .map(|hit| *hit.record.id.as_uuid())
        .collect();
    ensure!(
        last.entry.records == returned,
        "the entry names the records returned"
    );

    let by_dob = h
        .app
        .search_records(
            &officer,
            "29/02/1984",
            Some(RecordKind::Person),
            &purpose,
            10,
        )
        .await?;
    ensure!(
        by_dob
            .hits
            .iter()
            .map(|hit| hit.record.id)
            .collect::<Vec<_>>()
            == [catherine.id],
        "date of birth"
    );

    let misread = h
        .app
        .search_records(&officer, "A8I2 CDE", None, &purpose, 10)
        .await?;
    ensure!(
        misread.hits.first().map(|hit| hit.record.id) == Some(vehicle.id),
        "misread VRM: {:?}",
        misread.understood
    );

    let postcode = h
        .app
        .search_records(&officer, "le19bg", None, &purpose, 10)
        .await?;
    ensure!(
        postcode
            .hits
            .iter()
            .map(|hit| hit.record.id)
            .collect::<Vec<_>>()
            == [location.id],
        "postcode"
    );
    ensure!(postcode.understood == ["postcode LE1 9BG"]);
    Ok(())
}

pub async fn search_refusals_and_junk(h: &Harness) -> anyhow::Result<()> {
    let officer = h.staff("officer.one", Role::Officer, FORCE).await?;
    let admin = h.staff("admin.one", Role::Administrator, FORCE).await?;
    let purpose = Purpose::parse("curiosity")?;
    h.app
        .create_record(&officer, person(&["Sam"], "Okafor", "1985-02-03")?)
        .await?;
    let before = h.audit().await?.len();
    let refused = h
        .app
        .search_records(&admin, "okafor", None, &purpose, 10)
        .await;
    ensure!(
        matches!(refused, Err(AppError::Forbidden { .. })),
        "{refused:?}"
    );
    let audit = h.audit().await?;
    ensure!(audit.len() == before + 1);
    let last = audit.last().context("an entry")?;
    ensure!(last.entry.outcome == Outcome::Denied && last.entry.actor == admin.actor_id());
    ensure!(last.entry.records.is_empty(), "a refusal names no record");

    for (text, code) in [("   ", "empty_query"), ("!!! --", "nothing_to_search")] {
        let junk = h
            .app
            .search_records(&officer, text, None, &purpose, 10)
            .await;
        ensure!(
            matches!(&junk, Err(error @ AppError::Invalid { .. }) if error.code() == code && error.field() == Some("q")),
            "{text:?}: {junk:?}"
        );
    }
    let limit = h
        .app
        .search_records(&officer, "okafor", None, &purpose, 0)
        .await;
    ensure!(matches!(limit, Err(AppError::Invalid { .. })), "{limit:?}");
    ensure!(
        h.audit().await?.len() == before + 1,
        "invalid searches are not audited"
    );
    Ok(())
}

/// A full name is looked up by its name pair first; when that finds too few, the search
/// widens (surname keys, then forenames) so nothing that matched before is lost. Rebuilding
/// the index (scheme 0 on a fresh store) rewrites every record's keys once.
pub async fn search_widens_in_stages_and_the_index_rebuilds_once(
    h: &Harness,
) -> anyhow::Result<()> {
    let officer = h.staff("officer.one", Role::Officer, FORCE).await?;
    let purpose = Purpose::parse("enquiry into BL-42")?;
    let catherine = h
        .app
        .create_record(&officer, person(&["Catherine"], "Smith", "1984-02-29")?)
        .await?;
    let steven = h
        .app
        .create_record(&officer, person(&["Steven"], "Smithers", "1990-01-01")?)
        .await?;
    let search = |text: &'static str, limit: u32| {
        let (app, officer, purpose) = (&h.app, &officer, &purpose);
        async move {
            let found = app
                .search_records(officer, text, None, purpose, limit)
                .await?;
            anyhow::Ok(
                found
                    .hits
                    .iter()
                    .map(|hit| hit.record.id)
                    .collect::<Vec<_>>(),
            )
        }
    };
    // The pair alone answers a page of one.
    ensure!(
        search("kathryn smyth", 1).await? == [catherine.id],
        "pair stage"
    );
    // No one is called Catherine Smithers: the surname stage finds Steven, too few for a
    // page of 10, so the forename stage adds Catherine.
    let wide = search("catherine smithers", 10).await?;
    ensure!(
        wide.contains(&steven.id) && wide.contains(&catherine.id),
        "widened search found {wide:?}"
    );
    // Surname-only stage: a page of one is Steven.
    ensure!(
        search("catherine smithers", 1).await? == [steven.id],
        "surname stage"
    );

    let progress = std::sync::Mutex::new(Vec::new());
    let first = h
        .app
        .refresh_search_index(&|done| {
            if let Ok(mut seen) = progress.lock() {
                seen.push(done);
            }
        })
        .await?;
    ensure!(first == Some(2), "first rebuild reindexed {first:?}");
    ensure!(
        progress.lock().map(|seen| seen.clone()).unwrap_or_default() == [2],
        "progress {progress:?}"
    );
    let second = h.app.refresh_search_index(&|_| {}).await?;
    ensure!(second.is_none(), "second rebuild reindexed {second:?}");
    ensure!(
        search("kathryn smyth", 1).await? == [catherine.id],
        "after the rebuild"
    );
    Ok(())
}
