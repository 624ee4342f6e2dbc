//! The non-delivery report: one message per failed message, in the inbox.

use crate::message::{MessageContent, RecipientOp};
use crate::props::names::tags;
use crate::props::PropValue;
use crate::queue::Failure;

pub const NDR_CLASS: &str = "REPORT.IPM.Note.NDR";

/// The report for `original`, listing each failed recipient with its reason.
pub fn report(original: &MessageContent, failures: &[Failure], now: i64) -> MessageContent {
    let subject = original.props.str(tags::PidTagSubject).unwrap_or_default();
    let mut body = String::from("Your message could not be delivered to these recipients:\r\n\r\n");
    for f in failures {
        body.push_str(&format!(
            "{}: {}\r\n",
            f.email,
            f.reason.replace(['\r', '\n'], " ")
        ));
    }
    let mut m = MessageContent::default();
    let p = &mut m.props;
    p.set(
        tags::PidTagMessageClass,
        PropValue::Unicode(NDR_CLASS.into()),
    );
    p.set(
        tags::PidTagSubject,
        PropValue::Unicode(truncate(format!("Undeliverable: {subject}"))),
    );
    p.set(tags::PidTagBody, PropValue::Unicode(body));
    p.set(tags::PidTagImportance, PropValue::Long(1));
    p.set(
        tags::PidTagSenderName,
        PropValue::Unicode("Mail Delivery System".into()),
    );
    p.set(tags::PidTagClientSubmitTime, PropValue::SysTime(now));
    // The failed recipients, as the report's recipient table; rows that do not pass the
    // recipient rules (e.g. an address type with odd content) are listed in the body only.
    for f in failures {
        let row = vec![
            (
                tags::PidTagEmailAddress,
                PropValue::Unicode(f.email.clone()),
            ),
            (tags::PidTagRecipientType, PropValue::Long(1)),
        ];
        let _ = m.modify_recipients(RecipientOp::Add, vec![row]);
    }
    m
}

/// Keeps a header-bound value within the limit the property rules set.
fn truncate(mut s: String) -> String {
    let max = crate::props::rules::MAX_HEADER_VALUE;
    if s.len() > max {
        let cut = (0..=max)
            .rev()
            .find(|&i| s.is_char_boundary(i))
            .unwrap_or(0);
        s.truncate(cut);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_lists_each_failed_recipient_with_its_reason() {
        let mut original = MessageContent::default();
        original
            .props
            .set(tags::PidTagSubject, PropValue::Unicode("Привет".into()));
        let f = vec![
            Failure {
                email: "a@x.org".into(),
                reason: "mailbox unknown".into(),
            },
            Failure {
                email: "b@x.org".into(),
                reason: "no transport\r\ntakes it".into(),
            },
        ];
        let r = report(&original, &f, 5);
        assert_eq!(r.props.str(tags::PidTagMessageClass), Some(NDR_CLASS));
        assert_eq!(
            r.props.str(tags::PidTagSubject),
            Some("Undeliverable: Привет")
        );
        let body = r.props.str(tags::PidTagBody).unwrap();
        assert!(body.contains("a@x.org: mailbox unknown\r\n"));
        assert!(body.contains("b@x.org: no transport  takes it\r\n"));
        assert_eq!(r.recipients.len(), 2);
    }
}
