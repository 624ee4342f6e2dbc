//! The attempt state machine (`spool::Attempt`): every rule of one send attempt, natively,
//! with scripted transport answers: routing by address type, NOT_ME to the next transport,
//! CANCEL, partial failure, transient failures with Retry-After and unknown outcomes,
//! recipients nobody takes, and a property test over random answers.
#![cfg(not(target_arch = "wasm32"))]

use mapi_outbox::message::{MessageContent, RecipientOp};
use mapi_outbox::props::names::tags;
use mapi_outbox::props::PropValue;
use mapi_outbox::spool::{is_done, Answer, Attempt, Outcome, TransportInfo};
use proptest::prelude::*;

fn message(rows: &[(&str, &str, i32)]) -> MessageContent {
    let mut c = MessageContent::default();
    let rows = rows
        .iter()
        .map(|(email, ty, rt)| {
            vec![
                (
                    tags::PidTagEmailAddress,
                    PropValue::Unicode(email.to_string()),
                ),
                (tags::PidTagAddressType, PropValue::Unicode(ty.to_string())),
                (tags::PidTagRecipientType, PropValue::Long(*rt)),
            ]
        })
        .collect();
    c.modify_recipients(RecipientOp::Add, rows).unwrap();
    c
}

fn transport(name: &str, types: &[&str]) -> TransportInfo {
    TransportInfo {
        name: name.into(),
        address_types: types.iter().map(|t| t.to_string()).collect(),
    }
}

fn delivered() -> Answer {
    Answer::Delivered { failed: vec![] }
}

fn transient(error: &str, retry_after_ms: Option<i64>, outcome_unknown: bool) -> Answer {
    Answer::Transient {
        error: error.into(),
        retry_after_ms,
        outcome_unknown,
    }
}

/// Runs an attempt to its end, answering each offer with `answer(transport, rcpt_to)`;
/// returns the outcome and every offer made.
fn run(
    mut a: Attempt,
    mut answer: impl FnMut(usize, &[String]) -> Answer,
) -> (Outcome, Vec<(usize, Vec<String>)>) {
    let mut offers = Vec::new();
    for _ in 0..100 {
        let round = a.next_offers();
        if round.is_empty() {
            return (a.outcome(), offers);
        }
        for o in round {
            offers.push((o.transport, o.rcpt_to.clone()));
            let ans = answer(o.transport, &o.rcpt_to);
            a.record(&o, ans);
        }
    }
    panic!("the attempt did not end in 100 rounds");
}

#[test]
fn each_recipient_goes_to_the_first_transport_for_its_address_type_and_all_delivered_finishes() {
    let c = message(&[
        ("a@x.org", "SMTP", 1),
        ("fax:123", "FAX", 1),
        ("b@x.org", "SMTP", 3),
    ]);
    let a = Attempt::new(
        c,
        vec![transport("smtp", &["SMTP"]), transport("fax", &["FAX"])],
        true,
    );
    let (out, offers) = run(a, |_, _| delivered());
    assert_eq!(
        offers,
        vec![
            (0, vec!["a@x.org".to_string(), "b@x.org".to_string()]),
            (1, vec!["fax:123".to_string()])
        ]
    );
    let Outcome::Finish { content, failed } = out else {
        panic!("{out:?}")
    };
    assert!(failed.is_empty());
    assert!(content.recipients.iter().all(is_done));
}

#[test]
fn not_me_passes_the_recipients_to_the_next_transport_and_all_refusing_fails_them() {
    let c = message(&[("a@x.org", "SMTP", 1)]);
    let ts = vec![
        transport("first", &["SMTP"]),
        transport("second", &["SMTP"]),
    ];
    let (out, offers) = run(Attempt::new(c.clone(), ts.clone(), true), |t, _| {
        if t == 0 {
            Answer::NotMe
        } else {
            delivered()
        }
    });
    assert_eq!(offers.iter().map(|o| o.0).collect::<Vec<_>>(), [0, 1]);
    assert!(matches!(out, Outcome::Finish { ref failed, .. } if failed.is_empty()));

    let (out, _) = run(Attempt::new(c, ts, true), |_, _| Answer::NotMe);
    let Outcome::Finish { failed, .. } = out else {
        panic!("{out:?}")
    };
    assert_eq!(failed.len(), 1);
    assert!(
        failed[0].reason.contains("declined"),
        "{}",
        failed[0].reason
    );
}

#[test]
fn cancel_and_a_failed_list_fail_those_recipients_for_good_the_others_are_delivered() {
    let c = message(&[
        ("a@x.org", "SMTP", 1),
        ("B@x.org", "SMTP", 2),
        ("fax:1", "FAX", 1),
    ]);
    let ts = vec![transport("smtp", &["SMTP"]), transport("fax", &["FAX"])];
    let (out, _) = run(Attempt::new(c, ts, true), |t, _| {
        if t == 0 {
            Answer::Delivered {
                failed: vec![("b@X.org".into(), "550 no such user".into())],
            }
        } else {
            Answer::Cancel("fax line dead".into())
        }
    });
    let Outcome::Finish { failed, content } = out else {
        panic!("{out:?}")
    };
    let mut f: Vec<_> = failed
        .iter()
        .map(|f| (f.email.as_str(), f.reason.as_str()))
        .collect();
    f.sort();
    assert_eq!(
        f,
        [("B@x.org", "550 no such user"), ("fax:1", "fax line dead")]
    );
    assert!(content.recipients.iter().all(is_done));
}

#[test]
fn a_transient_failure_retries_what_is_left_with_its_retry_after_and_the_others_stay_done() {
    let c = message(&[("a@x.org", "SMTP", 1), ("fax:1", "FAX", 1)]);
    let ts = vec![transport("smtp", &["SMTP"]), transport("fax", &["FAX"])];
    let (out, offers) = run(Attempt::new(c, ts, true), |t, _| {
        if t == 0 {
            delivered()
        } else {
            transient("busy", Some(60_000), false)
        }
    });
    assert_eq!(
        offers.len(),
        2,
        "a transport that failed transiently is not offered again in the attempt"
    );
    let Outcome::Retry {
        content,
        error,
        retry_after_ms,
        outcome_unknown,
        failed,
    } = out
    else {
        panic!("{out:?}")
    };
    assert_eq!(
        (error.as_str(), retry_after_ms, outcome_unknown),
        ("busy", Some(60_000), false)
    );
    assert!(failed.is_empty());
    let done: Vec<bool> = content.recipients.iter().map(is_done).collect();
    assert_eq!(
        done,
        [true, false],
        "the delivered recipient is not sent again"
    );
}

#[test]
fn an_unknown_outcome_stays_known_as_unknown_across_later_transient_answers() {
    let c = message(&[("a@x.org", "SMTP", 1), ("fax:1", "FAX", 1)]);
    let ts = vec![transport("smtp", &["SMTP"]), transport("fax", &["FAX"])];
    let (out, _) = run(Attempt::new(c, ts, true), |t, _| {
        if t == 0 {
            transient("timed out", None, true)
        } else {
            transient("busy", None, false)
        }
    });
    assert!(
        matches!(
            out,
            Outcome::Retry {
                outcome_unknown: true,
                ..
            }
        ),
        "{out:?}"
    );
}

#[test]
fn recipients_nobody_takes_fail_in_a_full_spooler_and_are_released_in_a_partial_one() {
    let c = message(&[("a@x.org", "SMTP", 1), ("x400:1", "X400", 1)]);
    let (out, _) = run(
        Attempt::new(c.clone(), vec![transport("smtp", &["SMTP"])], true),
        |_, _| delivered(),
    );
    let Outcome::Finish { failed, .. } = out else {
        panic!("{out:?}")
    };
    assert_eq!(failed.len(), 1);
    assert!(failed[0]
        .reason
        .contains("no transport handles address type X400"));

    let (out, _) = run(
        Attempt::new(c, vec![transport("smtp", &["SMTP"])], false),
        |_, _| delivered(),
    );
    let Outcome::Release { content, failed } = out else {
        panic!("{out:?}")
    };
    assert!(failed.is_empty());
    assert_eq!(content.recipients.iter().filter(|r| is_done(r)).count(), 1);
}

#[test]
fn the_same_address_as_to_and_bcc_is_one_envelope_recipient() {
    let c = message(&[
        ("a@x.org", "SMTP", 1),
        ("a@x.org", "SMTP", 3),
        ("A@X.ORG", "SMTP", 2),
    ]);
    let (_, offers) = run(
        Attempt::new(c, vec![transport("smtp", &["SMTP"])], true),
        |_, _| delivered(),
    );
    assert_eq!(offers, vec![(0, vec!["a@x.org".to_string()])]);
}

#[test]
fn an_unsendable_message_fails_every_pending_recipient_with_the_reason() {
    let c = message(&[("a@x.org", "SMTP", 1), ("b@x.org", "SMTP", 1)]);
    let out = Attempt::new(c, vec![transport("smtp", &["SMTP"])], true).unsendable("bad MIME");
    let Outcome::Finish { failed, .. } = out else {
        panic!("{out:?}")
    };
    assert_eq!(failed.len(), 2);
    assert!(failed.iter().all(|f| f.reason == "bad MIME"));
}

fn answer_strategy() -> impl Strategy<Value = u8> {
    0u8..6
}

proptest! {
    /// Random answers from random transports: the attempt ends; no recipient is offered
    /// twice to one transport; a recipient is done exactly when it was delivered or failed
    /// for good; a retry happens exactly when something is left and a transport failed
    /// transiently; failed recipients are listed once each.
    #[test]
    fn any_answers_end_the_attempt_with_a_consistent_outcome(
        rows in proptest::collection::vec((0usize..4, 0usize..3, 1i32..4), 1..8),
        kinds in proptest::collection::vec(0usize..3, 1..4),
        answers in proptest::collection::vec(answer_strategy(), 64),
        full in any::<bool>(),
    ) {
        const TYPES: [&str; 3] = ["SMTP", "FAX", "X400"];
        let emails = ["a@x.org", "b@x.org", "c@x.org", "d@x.org"];
        let recips: Vec<(&str, &str, i32)> = rows.iter().map(|(e, t, rt)| (emails[*e], TYPES[*t], *rt)).collect();
        let c = message(&recips);
        let ts: Vec<TransportInfo> = kinds.iter().enumerate().map(|(i, k)| transport(&format!("t{i}"), &[TYPES[*k]])).collect();
        let mut seen = std::collections::BTreeSet::new();
        let mut i = 0;
        let mut transient_seen = false;
        let (out, offers) = run(Attempt::new(c, ts, full), |_t, rcpt| {
            let a = answers[i % answers.len()];
            i += 1;
            match a {
                0 | 1 => delivered(),
                2 => Answer::NotMe,
                3 => Answer::Cancel("no".into()),
                4 => { transient_seen = true; transient("later", Some(5), false) }
                _ => Answer::Delivered { failed: rcpt.iter().take(1).map(|e| (e.clone(), "550".into())).collect() },
            }
        });
        for (t, rcpt) in &offers {
            for r in rcpt {
                prop_assert!(seen.insert((*t, r.clone())), "{r} offered twice to transport {t}");
            }
        }
        let (content, failed, retry) = match out {
            Outcome::Finish { content, failed } => (content, failed, false),
            Outcome::Retry { content, failed, .. } => (content, failed, true),
            Outcome::Release { content, failed } => (content, failed, false),
        };
        let pending = content.recipients.iter().filter(|r| !is_done(r)).count();
        prop_assert_eq!(retry, pending > 0 && transient_seen);
        if full && !transient_seen {
            prop_assert_eq!(pending, 0, "a full spooler without transient failures leaves nothing");
        }
        for f in &failed {
            prop_assert!(
                content.recipients.iter().any(|r| r.email() == f.email && is_done(r)),
                "{} is listed as failed but is not done", f.email
            );
        }
        let done = content.recipients.iter().filter(|r| is_done(r)).count();
        prop_assert!(failed.len() <= done, "a recipient failed twice");
    }
}
