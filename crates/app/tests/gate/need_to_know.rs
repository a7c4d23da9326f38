//! Need-to-know: protected fields withheld by role and flag, restricted records for their
//! access list only, controlled caveats for briefed staff only — in one place for every read.

use anyhow::{Context as _, ensure};
use bluelamp_app::{AppError, ListQuery, NewStaff, Principal};
use bluelamp_audit::{LogKind, Outcome};
use bluelamp_domain::handling::{FieldCategory, Handling, HandlingFlag};
use bluelamp_domain::ids::{RecordKind, StaffId};
use bluelamp_domain::marking::{Classification, Marking};
use bluelamp_domain::record::{Record, RecordBody};
use bluelamp_domain::values::Purpose;
use bluelamp_policy::Role;
use serde_json::json;

use crate::harness::{FORCE, Harness, new_record};

/// A member of staff and their API token, so that they can authenticate again after their
/// team or vetting changes.
struct Member {
    id: StaffId,
    token: String,
}

impl Member {
    async fn new(h: &Harness, username: &str, role: Role) -> anyhow::Result<Member> {
        let created = h
            .app
            .create_staff(
                &h.system(),
                NewStaff {
                    username: username.to_owned(),
                    display_name: format!("Test {username}"),
                    role,
                    force: FORCE.to_owned(),
                },
            )
            .await?;
        Ok(Member {
            id: created.id,
            token: bluelamp_app::reveal_token(&created).to_owned(),
        })
    }

    /// The principal as of now (team and vetting included).
    async fn now(&self, h: &Harness) -> anyhow::Result<Principal> {
        Ok(h.app.authenticate(&self.token).await?)
    }
}

/// A person with contact details, an address and an identifier.
async fn victim(h: &Harness, who: &Principal, surname: &str) -> anyhow::Result<Record> {
    let mut record = new_record(RecordKind::Person)?;
    record.body = serde_json::from_value::<RecordBody>(json!({
        "kind": "person",
        "name": { "forenames": ["Imogen"], "surname": surname },
        "date_of_birth": "1990-07-08",
        "identifiers": [{ "type": "nhs", "value": "999 000 0018" }],
        "contact": {
            "email": "imogen@example.org",
            "phone": "07700 900123",
            "address": "Flat 2, 10 Safe Street, Leicester LE1 1AA",
        },
    }))?;
    Ok(h.app.create_record(who, record).await?)
}

fn person(record: &Record) -> anyhow::Result<&bluelamp_domain::person::Person> {
    match &record.body {
        RecordBody::Person(person) => Ok(person),
        other => anyhow::bail!("not a person: {other:?}"),
    }
}

fn purpose() -> anyhow::Result<Purpose> {
    Ok(Purpose::parse("investigation of LE/123/26")?)
}

/// A team made by the administrator, with `members` in it.
async fn team(
    h: &Harness,
    admin: &Principal,
    name: &str,
    members: &[&Member],
) -> anyhow::Result<uuid::Uuid> {
    let team = h.app.create_team(admin, name).await?;
    for member in members {
        h.app
            .set_team(admin, member.id, Some(name.to_owned()))
            .await?;
    }
    Ok(team.id)
}

pub async fn fields_are_withheld_by_role_and_refuge_flag(h: &Harness) -> anyhow::Result<()> {
    let admin = h.staff("admin.ntk", Role::Administrator, FORCE).await?;
    let officer = Member::new(h, "pc.ntk", Role::Officer).await?;
    let analyst = Member::new(h, "analyst.ntk", Role::Analyst).await?;
    let supervisor = Member::new(h, "sgt.ntk", Role::Supervisor).await?;
    let investigator = Member::new(h, "dc.ntk", Role::Investigator).await?;
    let manager = Member::new(h, "im.ntk", Role::InformationManager).await?;
    let safeguarding = team(h, &admin, "Safeguarding", &[&supervisor, &investigator]).await?;
    let (officer, analyst, supervisor_now, investigator) = (
        officer.now(h).await?,
        analyst.now(h).await?,
        supervisor.now(h).await?,
        investigator.now(h).await?,
    );
    let record = victim(h, &officer, "Quennell").await?;
    let purpose = purpose()?;

    // The officer sees everything; the analyst sees the person and the identifiers, not
    // where she lives or how to reach her — on every read path.
    let full = h.app.read_record(&officer, record.id, &purpose).await?;
    ensure!(full.withheld.is_empty() && full == record, "{full:?}");
    let seen = h.app.read_record(&analyst, record.id, &purpose).await?;
    ensure!(
        seen.withheld == [FieldCategory::Address, FieldCategory::Contact],
        "analyst read withheld {:?}",
        seen.withheld
    );
    let seen_person = person(&seen)?;
    ensure!(seen_person.contact.is_empty(), "{seen_person:?}");
    ensure!(seen_person.identifiers.len() == 1 && seen_person.name.surname() == "Quennell");
    let viewed = h.app.record_view(&analyst, record.id, &purpose).await?;
    ensure!(viewed.record == seen, "record view differs: {viewed:?}");
    let listed = h
        .app
        .list_records(
            &analyst,
            ListQuery {
                kind: Some(RecordKind::Person),
                after: None,
                limit: 500,
            },
            &purpose,
        )
        .await?;
    let in_list = listed
        .records
        .iter()
        .find(|found| found.id == record.id)
        .context("listed")?;
    ensure!(*in_list == seen, "listed: {in_list:?}");
    let found = h
        .app
        .search_records(&analyst, "Imogen Quennell", None, &purpose, 10)
        .await?;
    let hit = found
        .hits
        .iter()
        .find(|hit| hit.record.id == record.id)
        .context("found")?;
    ensure!(hit.record == seen, "search hit: {:?}", hit.record);
    // What is stored is untouched.
    ensure!(h.app.read_record(&officer, record.id, &purpose).await? == record);

    // Flagged as a refuge address, on the safeguarding team's list: the address is withheld
    // from the officer, the information manager too; the team sees it.
    let flagged = h
        .app
        .set_handling(
            &supervisor_now,
            record.id,
            Handling {
                flags: vec![HandlingFlag::RefugeAddress],
                access_teams: vec![safeguarding],
                ..Handling::default()
            },
        )
        .await?;
    ensure!(flagged.handling.has(HandlingFlag::RefugeAddress));
    let last = h.audit().await?.pop().context("entry")?;
    ensure!(
        last.entry.kind == LogKind::Alteration
            && last.entry.action == "record.handle"
            && last.entry.records == [*record.id.as_uuid()],
        "handling audited as {last:?}"
    );
    let by_officer = h.app.read_record(&officer, record.id, &purpose).await?;
    ensure!(
        by_officer.withheld == [FieldCategory::Address]
            && person(&by_officer)?.contact.address.is_none()
            && person(&by_officer)?.contact.phone.is_some(),
        "officer: {by_officer:?}"
    );
    let by_manager = h
        .app
        .read_record(&manager.now(h).await?, record.id, &purpose)
        .await?;
    ensure!(
        by_manager.withheld == [FieldCategory::Address],
        "manager: {by_manager:?}"
    );
    let by_team = h
        .app
        .read_record(&investigator, record.id, &purpose)
        .await?;
    ensure!(
        by_team.withheld.is_empty() && person(&by_team)?.contact.address.is_some(),
        "team: {by_team:?}"
    );
    Ok(())
}

pub async fn restricted_records_follow_their_access_list(h: &Harness) -> anyhow::Result<()> {
    let admin = h.staff("admin.rst", Role::Administrator, FORCE).await?;
    let officer = Member::new(h, "pc.rst", Role::Officer).await?;
    let supervisor = Member::new(h, "sgt.rst", Role::Supervisor).await?;
    let investigator = Member::new(h, "dc.rst", Role::Investigator).await?;
    let major_crime = team(h, &admin, "Major Crime", &[&investigator]).await?;
    let other_team = team(h, &admin, "Burglary", &[]).await?;
    let (officer_now, supervisor_now, investigator_now) = (
        officer.now(h).await?,
        supervisor.now(h).await?,
        investigator.now(h).await?,
    );
    let record = victim(h, &officer_now, "Rathbone").await?;
    let purpose = purpose()?;
    let size = h.store.audit_size().await?;

    // Bad handling is refused with a specific error and changes nothing.
    for (handling, field, code) in [
        (
            Handling {
                restricted: true,
                ..Handling::default()
            },
            "access_staff",
            "empty",
        ),
        (
            Handling {
                restricted: true,
                access_teams: vec![uuid::Uuid::now_v7()],
                ..Handling::default()
            },
            "access_teams",
            "unknown",
        ),
        (
            Handling {
                restricted: true,
                access_staff: vec![StaffId::new()],
                ..Handling::default()
            },
            "access_staff",
            "unknown",
        ),
        (
            Handling {
                restricted: true,
                access_teams: vec![other_team],
                ..Handling::default()
            },
            "access_staff",
            "self_excluded",
        ),
    ] {
        let result = h
            .app
            .set_handling(&investigator_now, record.id, handling)
            .await;
        ensure!(
            matches!(&result, Err(AppError::Invalid { field: f, code: c, .. }) if f == field && *c == code),
            "expected {field}/{code}: {result:?}"
        );
    }
    ensure!(
        h.store.audit_size().await? == size,
        "an invalid change was audited"
    );
    ensure!(h.app.read_record(&officer_now, record.id, &purpose).await? == record);

    // An officer may not set handling at all; the refusal is audited.
    let by_officer = h
        .app
        .set_handling(&officer_now, record.id, Handling::default())
        .await;
    ensure!(
        matches!(by_officer, Err(AppError::Forbidden { .. })),
        "{by_officer:?}"
    );
    let last = h.audit().await?.pop().context("entry")?;
    ensure!(last.entry.outcome == Outcome::Denied && last.entry.action == "record.handle");

    // Restricted to Major Crime and the supervisor by name.
    h.app
        .set_handling(
            &investigator_now,
            record.id,
            Handling {
                restricted: true,
                access_teams: vec![major_crime],
                access_staff: vec![supervisor.id],
                ..Handling::default()
            },
        )
        .await?;
    let refused = h.app.read_record(&officer_now, record.id, &purpose).await;
    ensure!(
        matches!(refused, Err(AppError::Forbidden { .. })),
        "{refused:?}"
    );
    let last = h.audit().await?.pop().context("entry")?;
    ensure!(
        last.entry.outcome == Outcome::Denied
            && last.entry.action == "record.read"
            && last.entry.records == [*record.id.as_uuid()],
        "refusal audited as {last:?}"
    );
    ensure!(
        h.app
            .read_record(&supervisor_now, record.id, &purpose)
            .await?
            .handling
            .restricted
    );
    h.app
        .read_record(&investigator_now, record.id, &purpose)
        .await?;
    // Lists and searches leave it out for the officer, not for the list.
    let query = ListQuery {
        kind: Some(RecordKind::Person),
        after: None,
        limit: 500,
    };
    let listed = h.app.list_records(&officer_now, query, &purpose).await?;
    ensure!(!listed.records.iter().any(|found| found.id == record.id));
    let listed = h.app.list_records(&supervisor_now, query, &purpose).await?;
    ensure!(listed.records.iter().any(|found| found.id == record.id));
    let found = h
        .app
        .search_records(&officer_now, "Imogen Rathbone", None, &purpose, 10)
        .await?;
    ensure!(!found.hits.iter().any(|hit| hit.record.id == record.id));

    // Leaving the team ends access at once.
    h.app.set_team(&admin, investigator.id, None).await?;
    let after = h
        .app
        .read_record(&investigator.now(h).await?, record.id, &purpose)
        .await;
    ensure!(
        matches!(after, Err(AppError::Forbidden { .. })),
        "{after:?}"
    );
    Ok(())
}

pub async fn controlled_caveats_need_a_briefing(h: &Harness) -> anyhow::Result<()> {
    let admin = h.staff("admin.cav", Role::Administrator, FORCE).await?;
    let briefed = Member::new(h, "pc.briefed", Role::Officer).await?;
    let other = Member::new(h, "pc.unbriefed", Role::Officer).await?;
    let purpose = purpose()?;
    let locsen = || -> anyhow::Result<_> {
        let mut record = new_record(RecordKind::Event)?;
        record.marking = Marking::parse("OFFICIAL-SENSITIVE LOCSEN")?;
        Ok(record)
    };

    // An unknown caveat is named; a controlled one needs a briefing even to record.
    let mut unknown = new_record(RecordKind::Event)?;
    unknown.marking = Marking::parse("OFFICIAL FOOBAR")?;
    let result = h.app.create_record(&briefed.now(h).await?, unknown).await;
    ensure!(
        matches!(&result, Err(AppError::Invalid { field, message, .. })
            if field == "marking.caveats" && message.contains("FOOBAR")),
        "{result:?}"
    );
    let result = h.app.create_record(&briefed.now(h).await?, locsen()?).await;
    ensure!(
        matches!(result, Err(AppError::Forbidden { .. })),
        "{result:?}"
    );

    // Vetting: only administrators, only known caveats.
    let by_officer = h
        .app
        .set_vetting(
            &other.now(h).await?,
            other.id,
            Classification::Official,
            &["LOCSEN".to_owned()],
        )
        .await;
    ensure!(
        matches!(by_officer, Err(AppError::Forbidden { .. })),
        "{by_officer:?}"
    );
    let bad = h
        .app
        .set_vetting(
            &admin,
            briefed.id,
            Classification::Official,
            &["LOCSEN".to_owned(), "NOSUCH".to_owned()],
        )
        .await;
    ensure!(
        matches!(&bad, Err(AppError::Invalid { field, .. }) if field == "caveats"),
        "{bad:?}"
    );
    h.app
        .set_vetting(
            &admin,
            briefed.id,
            Classification::Secret,
            &[" locsen ".to_owned()],
        )
        .await?;
    let last = h.audit().await?.pop().context("entry")?;
    ensure!(last.entry.action == "staff.vetting" && last.entry.kind == LogKind::Alteration);
    let summary = h
        .app
        .list_staff(&admin)
        .await?
        .into_iter()
        .find(|staff| staff.id == briefed.id)
        .context("listed")?;
    ensure!(
        summary.clearance == Classification::Secret && summary.caveats == ["LOCSEN"],
        "{summary:?}"
    );

    // Briefed, the officer records and reads LOCSEN material; the other officer cannot.
    let briefed_now = briefed.now(h).await?;
    let record = h.app.create_record(&briefed_now, locsen()?).await?;
    h.app.read_record(&briefed_now, record.id, &purpose).await?;
    let refused = h
        .app
        .read_record(&other.now(h).await?, record.id, &purpose)
        .await;
    ensure!(
        matches!(refused, Err(AppError::Forbidden { .. })),
        "{refused:?}"
    );

    // A SECRET clearance opens SECRET records; OFFICIAL does not.
    let mut secret = new_record(RecordKind::Event)?;
    secret.marking = Marking::parse("SECRET")?;
    let secret = h.app.create_record(&briefed_now, secret).await?;
    h.app.read_record(&briefed_now, secret.id, &purpose).await?;
    let refused = h
        .app
        .read_record(&other.now(h).await?, secret.id, &purpose)
        .await;
    ensure!(
        matches!(refused, Err(AppError::Forbidden { .. })),
        "{refused:?}"
    );
    Ok(())
}
