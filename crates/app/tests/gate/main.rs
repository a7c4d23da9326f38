//! The gate, tested through the public use cases of `App` on both storage backends.
//!
//! The central claim: no public function of the application layer changes state without its
//! audit entry in the same transaction, and a refused or invalid request stores nothing but
//! (for refusals) its own `denied` entry.

mod audit_log;
mod casework;
mod harness;
mod identity;
mod need_to_know;
mod policy;
mod reports;
mod retention;
mod search;
mod triage;
mod use_cases;

use harness::backend_tests;

backend_tests!(
    create_record_is_audited_as_collection,
    read_record_is_audited_as_consultation_with_purpose,
    list_records_names_every_record_returned,
    link_records_is_audited_and_checks_roles,
    links_of_names_both_ends,
    record_view_shows_links_in_one_consultation,
    create_staff_is_audited_and_token_authenticates,
    refused_attempts_store_nothing_but_a_denied_entry,
    invalid_input_stores_nothing,
    every_state_change_has_its_audit_entry,
    checkpoints_cover_the_log_and_verify,
    tampering_is_detected_by_verification,
    checkpoint_signer_refuses_a_tampered_log,
    submitted_report_lands_as_pole_records_in_one_audited_transaction,
    repeated_submission_makes_one_report,
    invalid_report_stores_nothing,
    operation_snap_rules_are_enforced,
    one_time_code_opens_the_report_once,
    expired_and_locked_codes_are_refused,
    police_updates_and_messages_reach_the_timeline,
    anonymous_information_is_accepted_without_a_reporter,
    staff_record_incidents_reported_by_phone_into_the_queue,
    triage_queue_shows_the_recording_clock_and_flags_breaches,
    assessment_and_not_a_crime_are_kept_from_the_reporter,
    sign_in_happy_path_with_enrolment,
    wrong_password_and_unknown_user_get_the_same_error,
    five_failures_within_fifteen_minutes_lock_until_released,
    five_failures_spread_over_twenty_minutes_do_not_lock,
    wrong_codes_count_towards_the_lockout,
    totp_window_is_one_step_and_replays_are_refused,
    sessions_end_after_idle_and_absolute_timeouts,
    disabling_an_account_ends_its_sessions,
    accounts_inactive_for_ninety_days_are_disabled,
    role_change_is_audited_and_ends_sessions,
    teams_are_created_and_assigned,
    non_administrators_are_denied_administration,
    password_rules_are_enforced_with_specific_errors,
    reset_second_factor_requires_enrolment_again,
    staff_report_shows_everything_and_is_audited_once,
    crimes_get_consecutive_system_issued_numbers,
    allocation_follows_roles_and_fills_my_work,
    tasks_and_victims_code_deadlines,
    closing_and_duplicates_keep_police_information_back,
    search_finds_misspelt_names_misread_marks_and_postcodes,
    search_refusals_and_junk,
    search_widens_in_stages_and_the_index_rebuilds_once,
    audit_search_finds_the_matching_entries_and_is_audited,
    audit_search_is_refused_to_everyone_else_and_audited,
    audit_proofs_verify_against_the_checkpoints,
    policy_changes_are_audited_and_take_effect_at_once,
    due_reviews_appear_by_date_and_retain_needs_a_reason,
    disposal_erases_keeps_a_tombstone_and_the_log_verifies,
    fields_are_withheld_by_role_and_refuge_flag,
    restricted_records_follow_their_access_list,
    controlled_caveats_need_a_briefing,
);
