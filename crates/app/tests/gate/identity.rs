//! Staff identity through the gate: two-step sign-in with enrolment, lockout, the second
//! factor's window and replay, session timeouts on the test clock, disabling, inactivity and
//! the administration of accounts, each audited.

use std::collections::BTreeSet;

use anyhow::{Context as _, bail, ensure};
use bluelamp_app::{AppError, NewStaff, PasswordStep, PendingSignIn, Principal, StaffSession};
use bluelamp_audit::{Entry, LogKind, Outcome};
use bluelamp_domain::ids::StaffId;
use bluelamp_policy::Role;
use chrono::Duration;
use hmac::{KeyInit as _, Mac as _};
use secrecy::{ExposeSecret as _, SecretString};

use crate::harness::{FORCE, Harness};

/// The password every test account gets.
const PASSWORD: &str = "a long and unusual passphrase";

/// An account with a password, and the authenticator secret once enrolled.
struct Account {
    id: StaffId,
    username: String,
    secret: Option<Vec<u8>>,
}

fn secret(text: &str) -> SecretString {
    SecretString::from(text.to_owned())
}

/// Decodes RFC 4648 base 32 without padding (independently of the app's encoder).
fn base32_decode(text: &str) -> anyhow::Result<Vec<u8>> {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = Vec::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for symbol in text.chars() {
        let value = ALPHABET.find(symbol).context("base32 symbol")?;
        buffer = (buffer << 5) | u32::try_from(value)?;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff)?);
        }
    }
    Ok(out)
}

/// The six-digit code of `step` (an independent RFC 4226 implementation).
fn code_at_step(secret: &[u8], step: u64) -> anyhow::Result<SecretString> {
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(secret)?;
    mac.update(&step.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let last = hash.get(19).context("a SHA-1 MAC has 20 bytes")?;
    let offset = usize::from(last & 0x0f);
    let window = hash
        .get(offset..offset + 4)
        .context("the dynamic truncation window lies inside the MAC")?;
    let value = u32::from_be_bytes(window.try_into()?) & 0x7fff_ffff;
    Ok(secret_code(value % 1_000_000))
}

fn secret_code(value: u32) -> SecretString {
    SecretString::from(format!("{value:06}"))
}

/// The time step of the harness clock now, moved by `offset` steps.
fn step_now(h: &Harness, offset: i64) -> anyhow::Result<u64> {
    use bluelamp_app::Clock as _;
    let step = h.clock.now().timestamp().div_euclid(30) + offset;
    Ok(u64::try_from(step)?)
}

/// Creates an account with `role` through the app and sets its password as the system.
async fn account(h: &Harness, username: &str, role: Role) -> anyhow::Result<Account> {
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
    h.app
        .set_password(&h.system(), created.id, &secret(PASSWORD))
        .await?;
    Ok(Account {
        id: created.id,
        username: username.to_owned(),
        secret: None,
    })
}

/// The first step with the right password, expecting `enrolled` to decide the answer.
async fn password_step(h: &Harness, account: &Account) -> anyhow::Result<PendingSignIn> {
    match h
        .app
        .sign_in_password(&account.username, &secret(PASSWORD), None)
        .await?
    {
        PasswordStep::PasswordAccepted(pending) if account.secret.is_some() => Ok(pending),
        PasswordStep::NeedsEnrolment(pending) if account.secret.is_none() => Ok(pending),
        other => bail!("unexpected password step {other:?}"),
    }
}

/// Signs in completely: enrols on first sign-in, else uses the code of the current step
/// (moving the clock on one step first, so that no code is replayed).
async fn sign_in(h: &Harness, account: &mut Account) -> anyhow::Result<StaffSession> {
    let pending = password_step(h, account).await?;
    if let Some(secret) = &account.secret {
        h.clock.advance(Duration::seconds(30));
        let code = code_at_step(secret, step_now(h, 0)?)?;
        return Ok(h.app.sign_in_totp(&pending.token, &code).await?);
    }
    let enrolment = h.app.begin_totp_enrolment(&pending.token).await?;
    let secret = base32_decode(enrolment.secret_base32.expose_secret())?;
    let code = code_at_step(&secret, step_now(h, 0)?)?;
    let session = h.app.confirm_totp_enrolment(&pending.token, &code).await?;
    account.secret = Some(secret);
    Ok(session)
}

/// An administrator principal (API token).
async fn administrator(h: &Harness) -> anyhow::Result<Principal> {
    h.staff("admin.one", Role::Administrator, FORCE).await
}

/// Entries appended since `before`.
async fn entries_since(h: &Harness, before: usize) -> anyhow::Result<Vec<Entry>> {
    Ok(h.audit().await?.into_iter().skip(before).collect())
}

fn actor(id: StaffId) -> String {
    format!("staff:{id}")
}

fn is_unauthenticated<T: std::fmt::Debug>(result: &Result<T, AppError>) -> bool {
    matches!(result, Err(AppError::Unauthenticated))
}

pub async fn sign_in_happy_path_with_enrolment(h: &Harness) -> anyhow::Result<()> {
    let mut officer = account(h, "pc.happy", Role::Officer).await?;
    let before = h.audit().await?.len();

    let pending = password_step(h, &officer).await?;
    ensure!(pending.token.expose_secret().starts_with("blsp_"));
    // No session on one factor: the pending sign-in allows only enrolment.
    let refused = h.app.sign_in_totp(&pending.token, &secret("123456")).await;
    ensure!(
        matches!(
            &refused,
            Err(AppError::Invalid {
                code: "enrolment_required",
                ..
            })
        ),
        "{refused:?}"
    );
    let too_early = h
        .app
        .authenticate_session(&secret(pending.token.expose_secret()))
        .await;
    ensure!(
        is_unauthenticated(&too_early),
        "pending token authenticated"
    );

    let enrolment = h.app.begin_totp_enrolment(&pending.token).await?;
    let secret_text = enrolment.secret_base32.expose_secret().to_owned();
    ensure!(
        secret_text.len() == 32,
        "20 bytes are 32 base-32 symbols: {secret_text}"
    );
    ensure!(
        enrolment.uri.expose_secret()
            == format!(
                "otpauth://totp/Bluelamp:pc.happy?secret={secret_text}&issuer=Bluelamp\
                 &algorithm=SHA1&digits=6&period=30"
            ),
        "uri"
    );
    let totp_secret = base32_decode(&secret_text)?;
    let code = code_at_step(&totp_secret, step_now(h, 0)?)?;
    let session = h.app.confirm_totp_enrolment(&pending.token, &code).await?;
    officer.secret = Some(totp_secret);
    ensure!(session.staff_id == officer.id);
    ensure!(session.token.expose_secret().starts_with("blss_"));
    ensure!(session.expires_at == session.created_at + Duration::hours(12));
    let principal = h.app.authenticate_session(&session.token).await?;
    ensure!(principal.actor_id() == actor(officer.id));
    ensure!(principal.subject.role == Some(Role::Officer));

    // The pending sign-in was used up.
    let reused = h.app.sign_in_totp(&pending.token, &code).await;
    ensure!(is_unauthenticated(&reused), "pending reused: {reused:?}");

    // The next sign-in asks for a code, and gives a fresh session.
    let second = sign_in(h, &mut officer).await?;
    ensure!(
        second.token.expose_secret() != session.token.expose_secret(),
        "a fresh session token every sign-in"
    );
    h.app.authenticate_session(&second.token).await?;

    h.app.sign_out(&second.token).await?;
    let after = h.app.authenticate_session(&second.token).await;
    ensure!(is_unauthenticated(&after), "signed-out session works");
    h.app.authenticate_session(&session.token).await?;

    let entries = entries_since(h, before).await?;
    let summary: Vec<(String, LogKind, Option<String>, Outcome)> = entries
        .iter()
        .map(|e| {
            (
                e.entry.action.clone(),
                e.entry.kind,
                e.entry.purpose.clone(),
                e.entry.outcome,
            )
        })
        .collect();
    let expected_prefix = [
        (
            "staff.sign_in",
            LogKind::Consultation,
            Some("password"),
            Outcome::Allowed,
        ),
        ("staff.totp", LogKind::Alteration, None, Outcome::Allowed),
        ("staff.totp", LogKind::Alteration, None, Outcome::Allowed),
        (
            "staff.sign_in",
            LogKind::Consultation,
            Some("second factor"),
            Outcome::Allowed,
        ),
    ];
    for (index, (action, kind, purpose, outcome)) in expected_prefix.into_iter().enumerate() {
        let got = summary.get(index).context("entry")?;
        ensure!(
            got.0 == action && got.1 == kind && got.2.as_deref() == purpose && got.3 == outcome,
            "entry {index}: {got:?}"
        );
    }
    ensure!(
        summary
            .iter()
            .any(|(action, _, _, outcome)| action == "staff.sign_out"
                && *outcome == Outcome::Allowed),
        "sign-out audited"
    );
    for entry in &entries {
        ensure!(entry.entry.actor == actor(officer.id), "{entry:?}");
        ensure!(
            entry.entry.records == vec![*officer.id.as_uuid()],
            "{entry:?}"
        );
    }
    // The reuse of the pending sign-in was refused and audited.
    let denied: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.entry.outcome == Outcome::Denied)
        .collect();
    ensure!(denied.len() == 1, "{denied:?}");
    ensure!(
        denied
            .first()
            .is_some_and(|e| e.entry.action == "staff.sign_in")
    );
    Ok(())
}

pub async fn wrong_password_and_unknown_user_get_the_same_error(h: &Harness) -> anyhow::Result<()> {
    let admin = administrator(h).await?;
    let officer = account(h, "pc.same", Role::Officer).await?;
    let disabled = account(h, "pc.gone", Role::Officer).await?;
    h.app.disable_staff(&admin, disabled.id).await?;
    let before = h.audit().await?.len();

    let unknown = h
        .app
        .sign_in_password("nobody.here", &secret(PASSWORD), None)
        .await;
    let wrong = h
        .app
        .sign_in_password("pc.same", &secret("not the passphrase"), None)
        .await;
    let disabled_right = h
        .app
        .sign_in_password("pc.gone", &secret(PASSWORD), None)
        .await;
    let mut messages = BTreeSet::new();
    for result in [&unknown, &wrong, &disabled_right] {
        let Err(error) = result else {
            bail!("sign-in accepted: {result:?}");
        };
        ensure!(matches!(error, AppError::Unauthenticated), "{error:?}");
        messages.insert((error.code(), error.to_string()));
    }
    ensure!(messages.len() == 1, "different answers: {messages:?}");

    let entries = entries_since(h, before).await?;
    ensure!(entries.len() == 3, "{entries:?}");
    let [first, second, third] = entries.as_slice() else {
        anyhow::bail!("three entries expected: {entries:?}");
    };
    ensure!(first.entry.actor == "system:sign-in" && first.entry.records.is_empty());
    ensure!(second.entry.actor == actor(officer.id));
    ensure!(third.entry.actor == actor(disabled.id));
    for entry in &entries {
        ensure!(entry.entry.action == "staff.sign_in");
        ensure!(entry.entry.outcome == Outcome::Denied);
        ensure!(entry.entry.kind == LogKind::Consultation);
        let leaf = String::from_utf8(entry.leaf_bytes())?;
        ensure!(!leaf.contains("passphrase"), "password in the log: {leaf}");
    }
    Ok(())
}

pub async fn five_failures_within_fifteen_minutes_lock_until_released(
    h: &Harness,
) -> anyhow::Result<()> {
    let admin = administrator(h).await?;
    let officer_principal = h.staff("pc.other", Role::Officer, FORCE).await?;
    let mut officer = account(h, "pc.locked", Role::Officer).await?;
    sign_in(h, &mut officer).await?;
    let before = h.audit().await?.len();
    for _ in 0..5 {
        let result = h
            .app
            .sign_in_password("pc.locked", &secret("wrong guess here"), None)
            .await;
        ensure!(is_unauthenticated(&result), "{result:?}");
        h.clock.advance(Duration::minutes(3));
    }
    // The 6th attempt is refused even with the right password.
    let right = h
        .app
        .sign_in_password("pc.locked", &secret(PASSWORD), None)
        .await;
    ensure!(
        is_unauthenticated(&right),
        "locked account signed in: {right:?}"
    );
    // Time does not release it.
    h.clock.advance(Duration::hours(2));
    let later = h
        .app
        .sign_in_password("pc.locked", &secret(PASSWORD), None)
        .await;
    ensure!(is_unauthenticated(&later), "lock expired by itself");

    let entries = entries_since(h, before).await?;
    let locks: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.entry.action == "staff.lock")
        .collect();
    ensure!(locks.len() == 1, "lock entries: {locks:?}");
    let lock = locks.first().context("a lock entry")?;
    ensure!(lock.entry.kind == LogKind::Alteration);
    ensure!(lock.entry.records == vec![*officer.id.as_uuid()]);
    let failures = entries
        .iter()
        .filter(|e| e.entry.action == "staff.sign_in" && e.entry.outcome == Outcome::Denied)
        .count();
    ensure!(failures == 7, "{failures} denied sign-in entries");

    // Only an administrator releases it.
    let refused = h.app.release_lockout(&officer_principal, officer.id).await;
    ensure!(
        matches!(refused, Err(AppError::Forbidden { .. })),
        "{refused:?}"
    );
    h.app.release_lockout(&admin, officer.id).await?;
    let last = h.audit().await?.pop().context("entry")?;
    ensure!(last.entry.action == "staff.unlock" && last.entry.actor == admin.actor_id());
    ensure!(last.entry.kind == LogKind::Alteration);
    let session = sign_in(h, &mut officer).await?;
    h.app.authenticate_session(&session.token).await?;
    Ok(())
}

pub async fn five_failures_spread_over_twenty_minutes_do_not_lock(
    h: &Harness,
) -> anyhow::Result<()> {
    let mut officer = account(h, "pc.slow", Role::Officer).await?;
    for attempt in 0..5 {
        if attempt > 0 {
            h.clock.advance(Duration::minutes(5));
        }
        let result = h
            .app
            .sign_in_password("pc.slow", &secret("wrong guess here"), None)
            .await;
        ensure!(is_unauthenticated(&result), "{result:?}");
    }
    let session = sign_in(h, &mut officer).await?;
    h.app.authenticate_session(&session.token).await?;
    ensure!(
        !h.audit()
            .await?
            .iter()
            .any(|e| e.entry.action == "staff.lock"),
        "locked"
    );
    Ok(())
}

pub async fn wrong_codes_count_towards_the_lockout(h: &Harness) -> anyhow::Result<()> {
    let mut officer = account(h, "pc.codes", Role::Officer).await?;
    sign_in(h, &mut officer).await?;
    let pending = password_step(h, &officer).await?;
    for wrong in 0..5 {
        let result = h
            .app
            .sign_in_totp(&pending.token, &secret_code(wrong))
            .await;
        ensure!(is_unauthenticated(&result), "{result:?}");
    }
    let secret = officer.secret.clone().context("enrolled")?;
    let right = h
        .app
        .sign_in_totp(&pending.token, &code_at_step(&secret, step_now(h, 0)?)?)
        .await;
    ensure!(is_unauthenticated(&right), "locked account got a session");
    ensure!(
        h.audit()
            .await?
            .iter()
            .any(|e| e.entry.action == "staff.lock"),
        "no lock entry"
    );
    Ok(())
}

pub async fn totp_window_is_one_step_and_replays_are_refused(h: &Harness) -> anyhow::Result<()> {
    let mut officer = account(h, "pc.window", Role::Officer).await?;
    sign_in(h, &mut officer).await?;
    let secret = officer.secret.clone().context("enrolled")?;
    h.clock.advance(Duration::minutes(5));
    let pending = password_step(h, &officer).await?;
    for offset in [2, -2] {
        let code = code_at_step(&secret, step_now(h, offset)?)?;
        let result = h.app.sign_in_totp(&pending.token, &code).await;
        ensure!(is_unauthenticated(&result), "step {offset:+} accepted");
    }
    let ahead = code_at_step(&secret, step_now(h, 1)?)?;
    h.app.sign_in_totp(&pending.token, &ahead).await?;

    // The same code again, or the current (earlier) step's, is a replay.
    for offset in [1, 0] {
        let pending = password_step(h, &officer).await?;
        let code = code_at_step(&secret, step_now(h, offset)?)?;
        let result = h.app.sign_in_totp(&pending.token, &code).await;
        ensure!(
            is_unauthenticated(&result),
            "replay of step {offset:+} accepted"
        );
    }
    let pending = password_step(h, &officer).await?;
    let behind = code_at_step(&secret, step_now(h, 2)? - 1)?;
    let replay = h.app.sign_in_totp(&pending.token, &behind).await;
    ensure!(is_unauthenticated(&replay), "step already used accepted");

    // A step behind is accepted when it is later than the last one used.
    h.clock.advance(Duration::seconds(90));
    let late = code_at_step(&secret, step_now(h, -1)?)?;
    h.app.sign_in_totp(&pending.token, &late).await?;
    Ok(())
}

pub async fn sessions_end_after_idle_and_absolute_timeouts(h: &Harness) -> anyhow::Result<()> {
    let mut officer = account(h, "pc.sessions", Role::Officer).await?;
    let idle = sign_in(h, &mut officer).await?;
    for _ in 0..3 {
        h.clock.advance(Duration::minutes(29));
        h.app.authenticate_session(&idle.token).await?;
    }
    h.clock.advance(Duration::minutes(30));
    let result = h.app.authenticate_session(&idle.token).await;
    ensure!(
        is_unauthenticated(&result),
        "idle session survived 30 minutes"
    );

    // Used every 20 minutes, a session still ends 12 hours after its sign-in.
    let busy = sign_in(h, &mut officer).await?;
    for round in 1..36 {
        h.clock.advance(Duration::minutes(20));
        h.app
            .authenticate_session(&busy.token)
            .await
            .with_context(|| format!("after {} minutes", round * 20))?;
    }
    h.clock.advance(Duration::minutes(20));
    let result = h.app.authenticate_session(&busy.token).await;
    ensure!(is_unauthenticated(&result), "session survived 12 hours");
    Ok(())
}

pub async fn disabling_an_account_ends_its_sessions(h: &Harness) -> anyhow::Result<()> {
    let admin = administrator(h).await?;
    let mut officer = account(h, "pc.disabled", Role::Officer).await?;
    let first = sign_in(h, &mut officer).await?;
    let second = sign_in(h, &mut officer).await?;
    h.app.disable_staff(&admin, officer.id).await?;
    for session in [&first, &second] {
        let result = h.app.authenticate_session(&session.token).await;
        ensure!(
            is_unauthenticated(&result),
            "session of a disabled account works"
        );
    }
    let last = h.audit().await?.pop().context("entry")?;
    ensure!(last.entry.action == "staff.disable" && last.entry.kind == LogKind::Alteration);
    let result = h
        .app
        .sign_in_password("pc.disabled", &secret(PASSWORD), None)
        .await;
    ensure!(is_unauthenticated(&result), "disabled account signed in");
    // Enabling does not revive the old sessions, but allows signing in again.
    h.app.enable_staff(&admin, officer.id).await?;
    let result = h.app.authenticate_session(&first.token).await;
    ensure!(is_unauthenticated(&result), "old session revived");
    let again = sign_in(h, &mut officer).await?;
    h.app.authenticate_session(&again.token).await?;
    Ok(())
}

pub async fn accounts_inactive_for_ninety_days_are_disabled(h: &Harness) -> anyhow::Result<()> {
    let admin = administrator(h).await?;
    let admin_id: StaffId = admin.subject.id.parse()?;
    let mut active = account(h, "pc.active", Role::Officer).await?;
    let idle = account(h, "pc.idle", Role::Officer).await?;
    h.clock.advance(Duration::days(60));
    sign_in(h, &mut active).await?;
    h.clock.advance(Duration::days(29));
    ensure!(
        h.app.disable_inactive_staff().await? == 0,
        "disabled before 90 days"
    );
    h.clock.advance(Duration::days(2));
    let before = h.audit().await?.len();
    ensure!(
        h.app.disable_inactive_staff().await? == 2,
        "admin and pc.idle"
    );
    let entries = entries_since(h, before).await?;
    ensure!(entries.len() == 1, "{entries:?}");
    let entry = &entries.first().context("one entry")?.entry;
    ensure!(entry.actor == "system:identity-job" && entry.action == "staff.disable");
    ensure!(entry.kind == LogKind::Alteration);
    let disabled: BTreeSet<_> = entry.records.iter().copied().collect();
    let expected: BTreeSet<_> = [*admin_id.as_uuid(), *idle.id.as_uuid()].into();
    ensure!(disabled == expected, "{disabled:?}");
    let result = h
        .app
        .sign_in_password("pc.idle", &secret(PASSWORD), None)
        .await;
    ensure!(is_unauthenticated(&result), "inactive account signed in");
    sign_in(h, &mut active).await?;
    ensure!(h.app.disable_inactive_staff().await? == 0, "ran twice");
    Ok(())
}

pub async fn role_change_is_audited_and_ends_sessions(h: &Harness) -> anyhow::Result<()> {
    let admin = administrator(h).await?;
    let mut officer = account(h, "pc.promoted", Role::Officer).await?;
    let session = sign_in(h, &mut officer).await?;
    h.app
        .change_role(&admin, officer.id, Role::Supervisor)
        .await?;
    let last = h.audit().await?.pop().context("entry")?;
    ensure!(last.entry.action == "staff.role");
    ensure!(last.entry.kind == LogKind::Alteration);
    ensure!(last.entry.actor == admin.actor_id());
    ensure!(last.entry.outcome == Outcome::Allowed);
    ensure!(last.entry.records == vec![*officer.id.as_uuid()]);
    let result = h.app.authenticate_session(&session.token).await;
    ensure!(is_unauthenticated(&result), "session kept its old role");
    let fresh = sign_in(h, &mut officer).await?;
    let principal = h.app.authenticate_session(&fresh.token).await?;
    ensure!(principal.subject.role == Some(Role::Supervisor));
    let listed = h.app.list_staff(&admin).await?;
    let row = listed
        .iter()
        .find(|s| s.id == officer.id)
        .context("listed")?;
    ensure!(row.role == Role::Supervisor && row.totp_enrolled && row.has_password);
    ensure!(row.last_sign_in_at.is_some() && row.locked_at.is_none() && row.active);
    Ok(())
}

pub async fn teams_are_created_and_assigned(h: &Harness) -> anyhow::Result<()> {
    let admin = administrator(h).await?;
    let officer = account(h, "pc.teamed", Role::Officer).await?;
    let team = h.app.create_team(&admin, "  Response Team B ").await?;
    ensure!(team.name == "Response Team B");
    let duplicate = h.app.create_team(&admin, "Response Team B").await;
    ensure!(
        matches!(duplicate, Err(AppError::Conflict { .. })),
        "{duplicate:?}"
    );
    let blank = h.app.create_team(&admin, "   ").await;
    ensure!(matches!(blank, Err(AppError::Invalid { .. })), "{blank:?}");
    h.app
        .set_team(&admin, officer.id, Some("Response Team B".to_owned()))
        .await?;
    let last = h.audit().await?.pop().context("entry")?;
    ensure!(last.entry.action == "staff.team" && last.entry.kind == LogKind::Alteration);
    let team_of = |list: &[bluelamp_app::StaffSummary]| {
        list.iter()
            .find(|s| s.id == officer.id)
            .and_then(|s| s.team.clone())
    };
    ensure!(team_of(&h.app.list_staff(&admin).await?).as_deref() == Some("Response Team B"));
    let missing = h
        .app
        .set_team(&admin, officer.id, Some("No Such Team".to_owned()))
        .await;
    ensure!(
        matches!(missing, Err(AppError::NotFound { .. })),
        "{missing:?}"
    );
    h.app.set_team(&admin, officer.id, None).await?;
    ensure!(team_of(&h.app.list_staff(&admin).await?).is_none());
    ensure!(h.app.list_teams(&admin).await? == vec![team]);
    Ok(())
}

pub async fn non_administrators_are_denied_administration(h: &Harness) -> anyhow::Result<()> {
    let officer = h.staff("pc.nosy", Role::Officer, FORCE).await?;
    let officer_id: StaffId = officer.subject.id.parse()?;
    let supervisor = h.staff("sgt.nosy", Role::Supervisor, FORCE).await?;
    let target = account(h, "pc.target", Role::Officer).await?;
    let before = h.audit().await?.len();
    let mut refusals = 0;
    for who in [&officer, &supervisor] {
        let results: Vec<(&str, Result<(), AppError>)> = vec![
            ("list", h.app.list_staff(who).await.map(|_| ())),
            (
                "role",
                h.app.change_role(who, target.id, Role::Administrator).await,
            ),
            ("team", h.app.set_team(who, target.id, None).await),
            (
                "create team",
                h.app.create_team(who, "Shadow").await.map(|_| ()),
            ),
            ("list teams", h.app.list_teams(who).await.map(|_| ())),
            ("unlock", h.app.release_lockout(who, target.id).await),
            ("disable", h.app.disable_staff(who, target.id).await),
            ("enable", h.app.enable_staff(who, target.id).await),
            ("reset", h.app.reset_totp(who, target.id).await),
            (
                "password",
                h.app
                    .set_password(who, target.id, &secret("another passphrase"))
                    .await,
            ),
        ];
        for (what, result) in results {
            ensure!(
                matches!(result, Err(AppError::Forbidden { .. })),
                "{what}: {result:?}"
            );
            refusals += 1;
        }
    }
    let entries = entries_since(h, before).await?;
    ensure!(
        entries.len() == refusals,
        "{} entries for {refusals} refusals",
        entries.len()
    );
    ensure!(entries.iter().all(|e| e.entry.outcome == Outcome::Denied));
    // Everyone may change their own password.
    h.app
        .set_password(&officer, officer_id, &secret("my own new passphrase"))
        .await?;
    let last = h.audit().await?.pop().context("entry")?;
    ensure!(last.entry.action == "staff.password.own" && last.entry.outcome == Outcome::Allowed);
    Ok(())
}

pub async fn password_rules_are_enforced_with_specific_errors(h: &Harness) -> anyhow::Result<()> {
    let admin = administrator(h).await?;
    let officer = account(h, "pc.rules", Role::Officer).await?;
    let before = h.audit().await?.len();
    for (password, code) in [
        ("short", "password_too_short"),
        ("ééééééé", "password_too_short"),
        (&*"x".repeat(129), "password_too_long"),
        ("Password1", "password_too_common"),
        ("iloveyou", "password_too_common"),
        ("PC.Rules", "password_is_username"),
    ] {
        let result = h
            .app
            .set_password(&admin, officer.id, &secret(password))
            .await;
        let Err(error) = result else {
            bail!("{password:?} accepted");
        };
        ensure!(error.code() == code, "{password:?}: {error:?}");
        ensure!(error.field() == Some("password"));
    }
    ensure!(
        h.audit().await?.len() == before,
        "a refused password stored something"
    );
    // A long Unicode passphrase is fine, and the old password stops working.
    let passphrase = "горячий чай у окна зимой, 64 символа или около того — хорошо";
    h.app
        .set_password(&admin, officer.id, &secret(passphrase))
        .await?;
    let last = h.audit().await?.pop().context("entry")?;
    ensure!(last.entry.action == "staff.password" && last.entry.kind == LogKind::Alteration);
    let old = h
        .app
        .sign_in_password("pc.rules", &secret(PASSWORD), None)
        .await;
    ensure!(is_unauthenticated(&old), "old password works");
    let new = h
        .app
        .sign_in_password("pc.rules", &secret(passphrase), None)
        .await?;
    ensure!(matches!(new, PasswordStep::NeedsEnrolment(_)));
    Ok(())
}

pub async fn reset_second_factor_requires_enrolment_again(h: &Harness) -> anyhow::Result<()> {
    let admin = administrator(h).await?;
    let mut officer = account(h, "pc.lostphone", Role::Officer).await?;
    let session = sign_in(h, &mut officer).await?;
    h.app.reset_totp(&admin, officer.id).await?;
    let result = h.app.authenticate_session(&session.token).await;
    ensure!(is_unauthenticated(&result), "session survived the reset");
    officer.secret = None;
    let fresh = sign_in(h, &mut officer).await?;
    h.app.authenticate_session(&fresh.token).await?;
    Ok(())
}
