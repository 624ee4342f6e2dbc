//! Which transport is offered which recipients.

use std::collections::{BTreeMap, BTreeSet};

use crate::message::MessageContent;

/// What the spooler knows of a transport: its name and the address types it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportInfo {
    pub name: String,
    /// Upper case.
    pub address_types: Vec<String>,
}

impl TransportInfo {
    pub fn takes(&self, address_type: &str) -> bool {
        self.address_types
            .iter()
            .any(|t| t.eq_ignore_ascii_case(address_type))
    }
}

/// One round of hand-over: for each transport (by index, in registration order) the rowids
/// it is offered; and the recipients no transport takes (any more).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Routing {
    pub offers: Vec<(usize, Vec<u32>)>,
    pub unroutable: Vec<u32>,
}

/// Offers each recipient not yet dealt with to the first transport, in order, that takes its
/// address type and has not refused it (MAPI_E_NOT_ME) in `refused`.
pub fn route(
    content: &MessageContent,
    transports: &[TransportInfo],
    refused: &BTreeMap<u32, BTreeSet<usize>>,
) -> Routing {
    let mut offers: BTreeMap<usize, Vec<u32>> = BTreeMap::new();
    let mut unroutable = Vec::new();
    for r in content.recipients.iter().filter(|r| !super::is_done(r)) {
        let no = BTreeSet::new();
        let refused_by = refused.get(&r.rowid).unwrap_or(&no);
        match transports
            .iter()
            .enumerate()
            .find(|(i, t)| !refused_by.contains(i) && t.takes(r.address_type()))
        {
            Some((i, _)) => offers.entry(i).or_default().push(r.rowid),
            None => unroutable.push(r.rowid),
        }
    }
    Routing {
        offers: offers.into_iter().collect(),
        unroutable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::RecipientOp;
    use crate::props::names::tags;
    use crate::props::PropValue;

    fn msg(rows: &[(&str, &str)]) -> MessageContent {
        let mut m = MessageContent::default();
        let rows = rows
            .iter()
            .map(|(addr, ty)| {
                vec![
                    (
                        tags::PidTagEmailAddress,
                        PropValue::Unicode(addr.to_string()),
                    ),
                    (tags::PidTagAddressType, PropValue::Unicode(ty.to_string())),
                ]
            })
            .collect();
        m.modify_recipients(RecipientOp::Add, rows).unwrap();
        m
    }

    fn t(name: &str, types: &[&str]) -> TransportInfo {
        TransportInfo {
            name: name.into(),
            address_types: types.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn recipients_go_to_the_first_transport_taking_their_type() {
        let m = msg(&[("a@x.org", "SMTP"), ("fax:123", "FAX"), ("b@x.org", "smtp")]);
        let r = route(
            &m,
            &[t("fax", &["FAX"]), t("one", &["SMTP"]), t("two", &["SMTP"])],
            &BTreeMap::new(),
        );
        assert_eq!(r.offers, vec![(0, vec![2]), (1, vec![1, 3])]);
        assert!(r.unroutable.is_empty());
    }

    #[test]
    fn a_refusal_moves_the_recipient_to_the_next_transport_then_to_unroutable() {
        let m = msg(&[("a@x.org", "SMTP")]);
        let ts = [t("one", &["SMTP"]), t("two", &["SMTP"])];
        let mut refused = BTreeMap::new();
        refused.insert(1, BTreeSet::from([0]));
        assert_eq!(route(&m, &ts, &refused).offers, vec![(1, vec![1])]);
        refused.insert(1, BTreeSet::from([0, 1]));
        assert_eq!(route(&m, &ts, &refused).unroutable, vec![1]);
    }

    #[test]
    fn recipients_already_dealt_with_are_not_offered_again() {
        let mut m = msg(&[("a@x.org", "SMTP"), ("b@x.org", "SMTP")]);
        m.recipients[0]
            .props
            .set(tags::PidTagResponsibility, PropValue::Boolean(true));
        let r = route(&m, &[t("one", &["SMTP"])], &BTreeMap::new());
        assert_eq!(r.offers, vec![(0, vec![2])]);
    }
}
