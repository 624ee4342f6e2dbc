//! Which transport is offered which recipients.

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
/// address type and has not refused it (MAPI_E_NOT_ME): `refused` holds (rowid, transport
/// index) pairs, sorted (see [`Refusals`]).
pub fn route(
    content: &MessageContent,
    transports: &[TransportInfo],
    refused: &Refusals,
) -> Routing {
    // Indexed by transport; plain vectors rather than a map keep the module small (one less
    // BTreeMap instantiation) and the order is the transports' order all the same.
    let mut offers: Vec<Vec<u32>> = vec![Vec::new(); transports.len()];
    let mut unroutable = Vec::new();
    for r in content.recipients.iter().filter(|r| !super::is_done(r)) {
        match transports
            .iter()
            .enumerate()
            .find(|(i, t)| !refused.contains(r.rowid, *i) && t.takes(r.address_type()))
        {
            Some((i, _)) => offers[i].push(r.rowid),
            None => unroutable.push(r.rowid),
        }
    }
    Routing {
        offers: offers
            .into_iter()
            .enumerate()
            .filter(|(_, rowids)| !rowids.is_empty())
            .collect(),
        unroutable,
    }
}

/// The (recipient rowid, transport index) pairs a transport declined (MAPI_E_NOT_ME), kept
/// sorted so a lookup is a binary search however many recipients a message has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refusals(Vec<(u32, usize)>);

impl Refusals {
    pub fn new() -> Self {
        Refusals(Vec::new())
    }

    /// Records that `transport` declined each of `rowids`.
    pub fn add(&mut self, rowids: &[u32], transport: usize) {
        self.0.extend(rowids.iter().map(|r| (*r, transport)));
        self.0.sort_unstable();
        self.0.dedup();
    }

    pub fn contains(&self, rowid: u32, transport: usize) -> bool {
        self.0.binary_search(&(rowid, transport)).is_ok()
    }

    /// Whether any transport declined `rowid`.
    pub fn any_for(&self, rowid: u32) -> bool {
        let first = self.0.partition_point(|(r, _)| *r < rowid);
        self.0.get(first).is_some_and(|(r, _)| *r == rowid)
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
            &Refusals::new(),
        );
        assert_eq!(r.offers, vec![(0, vec![2]), (1, vec![1, 3])]);
        assert!(r.unroutable.is_empty());
    }

    #[test]
    fn a_refusal_moves_the_recipient_to_the_next_transport_then_to_unroutable() {
        let m = msg(&[("a@x.org", "SMTP")]);
        let ts = [t("one", &["SMTP"]), t("two", &["SMTP"])];
        let mut refused = Refusals::new();
        refused.add(&[1], 0);
        assert_eq!(route(&m, &ts, &refused).offers, vec![(1, vec![1])]);
        refused.add(&[1], 1);
        assert_eq!(route(&m, &ts, &refused).unroutable, vec![1]);
    }

    #[test]
    fn recipients_already_dealt_with_are_not_offered_again() {
        let mut m = msg(&[("a@x.org", "SMTP"), ("b@x.org", "SMTP")]);
        m.recipients[0]
            .props
            .set(tags::PidTagResponsibility, PropValue::Boolean(true));
        let r = route(&m, &[t("one", &["SMTP"])], &Refusals::new());
        assert_eq!(r.offers, vec![(0, vec![2])]);
    }

    #[test]
    fn refusals_answer_per_pair_and_per_recipient_in_any_order_of_adding() {
        let mut refused = Refusals::new();
        refused.add(&[7, 3, 7], 2);
        refused.add(&[3], 0);
        refused.add(&[3], 2);
        assert!(refused.contains(3, 0) && refused.contains(3, 2) && refused.contains(7, 2));
        assert!(!refused.contains(3, 1) && !refused.contains(7, 0) && !refused.contains(5, 2));
        assert!(refused.any_for(3) && refused.any_for(7));
        assert!(!refused.any_for(5) && !refused.any_for(8) && !refused.any_for(0));
        assert_eq!(refused.0, vec![(3, 0), (3, 2), (7, 2)]);
    }
}
