//! One send attempt of one message, as a state machine without I/O: the spooler asks it for
//! the offers to make (which transport gets which recipients), hands each to its transport,
//! records each answer, and at the end takes the outcome: finish (every recipient dealt
//! with), retry (a transport failed transiently), or release (what is left is for transports
//! this spooler does not have). The binding layer only calls the transports; every rule of
//! an attempt is here, tested natively.

use super::{is_done, route, Answer, Refusals, TransportInfo};
use crate::message::MessageContent;
use crate::props::names::tags;
use crate::props::{PropTag, PropValue};
use crate::queue::Failure;

/// One hand-over to make: `transport` (an index into the attempt's transports) is offered
/// the recipients `rowids`.
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    pub transport: usize,
    pub rowids: Vec<u32>,
    /// The envelope: each address once, in table order.
    pub rcpt_to: Vec<String>,
    /// The recipient rows as the transport sees them.
    pub recipients: Vec<Vec<(PropTag, PropValue)>>,
}

/// How an attempt ends.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Every recipient was dealt with (delivered, or failed for good: `failed`).
    Finish {
        content: MessageContent,
        failed: Vec<Failure>,
    },
    /// A transport failed transiently: the message waits and is offered again.
    Retry {
        content: MessageContent,
        failed: Vec<Failure>,
        error: String,
        retry_after_ms: Option<i64>,
        /// Whether an earlier send may have gone out (the next attempt is flagged
        /// possibleDuplicate).
        outcome_unknown: bool,
    },
    /// Recipients are left for transports this spooler does not have: unlock without
    /// counting a failure.
    Release {
        content: MessageContent,
        failed: Vec<Failure>,
    },
}

#[derive(Debug)]
pub struct Attempt {
    content: MessageContent,
    transports: Vec<TransportInfo>,
    /// This spooler has every transport of the store, so a recipient no transport takes
    /// fails for good; a spooler with only some of them leaves it to the others.
    full_spooler: bool,
    refused: Refusals,
    /// Transports that answered Transient in this attempt (few: a plain vector).
    unavailable: Vec<usize>,
    transient: Option<(String, Option<i64>, bool)>,
    failed: Vec<Failure>,
}

fn set_done(content: &mut MessageContent, rowid: u32, done: bool) {
    if let Some(r) = content.recipients.iter_mut().find(|r| r.rowid == rowid) {
        r.props
            .set(tags::PidTagResponsibility, PropValue::Boolean(done));
    }
}

impl Attempt {
    pub fn new(
        content: MessageContent,
        transports: Vec<TransportInfo>,
        full_spooler: bool,
    ) -> Self {
        Attempt {
            content,
            transports,
            full_spooler,
            refused: Refusals::new(),
            unavailable: Vec::new(),
            transient: None,
            failed: Vec::new(),
        }
    }

    pub fn content(&self) -> &MessageContent {
        &self.content
    }

    /// The message cannot be sent at all (its MIME cannot be written): every recipient not
    /// dealt with yet fails for good, with `reason`.
    pub fn unsendable(mut self, reason: &str) -> Outcome {
        let pending: Vec<u32> = self
            .content
            .recipients
            .iter()
            .filter(|r| !is_done(r))
            .map(|r| r.rowid)
            .collect();
        for rowid in pending {
            self.fail(rowid, reason.to_string());
        }
        self.outcome()
    }

    fn fail(&mut self, rowid: u32, reason: String) {
        if let Some(r) = self.content.recipients.iter().find(|r| r.rowid == rowid) {
            self.failed.push(Failure {
                email: r.email().to_string(),
                reason,
            });
        }
        set_done(&mut self.content, rowid, true);
    }

    /// The next round of offers; empty when the attempt is over. Recipients no transport
    /// takes (any more) fail for good here when this spooler has every transport.
    pub fn next_offers(&mut self) -> Vec<Offer> {
        let routing = route(&self.content, &self.transports, &self.refused);
        if self.full_spooler {
            for rowid in routing.unroutable {
                let reason = if self.refused.any_for(rowid) {
                    "every transport for this address type declined it (MAPI_E_NOT_ME)".to_string()
                } else {
                    let ty = self
                        .content
                        .recipients
                        .iter()
                        .find(|r| r.rowid == rowid)
                        .map(|r| r.address_type().to_string())
                        .unwrap_or_default();
                    format!("no transport handles address type {ty}")
                };
                self.fail(rowid, reason);
            }
        }
        let offers: Vec<(usize, Vec<u32>)> = routing
            .offers
            .into_iter()
            .filter(|(ti, _)| !self.unavailable.contains(ti))
            .collect();
        offers
            .into_iter()
            .map(|(transport, rowids)| {
                for rowid in &rowids {
                    set_done(&mut self.content, *rowid, false);
                }
                let offered = || {
                    self.content
                        .recipients
                        .iter()
                        .filter(|r| rowids.contains(&r.rowid))
                };
                let rcpt_to = crate::mime::envelope_recipients(offered().map(|r| r.email()))
                    .into_iter()
                    .map(str::to_owned)
                    .collect();
                let recipients = offered().map(|r| r.all_props()).collect();
                Offer {
                    transport,
                    rowids,
                    rcpt_to,
                    recipients,
                }
            })
            .collect()
    }

    /// What the transport of `offer` answered.
    pub fn record(&mut self, offer: &Offer, answer: Answer) {
        match answer {
            Answer::Delivered { failed: bad } => {
                for rowid in &offer.rowids {
                    let email = self
                        .content
                        .recipients
                        .iter()
                        .find(|r| r.rowid == *rowid)
                        .map(|r| r.email().to_string())
                        .unwrap_or_default();
                    match bad.iter().find(|(e, _)| e.eq_ignore_ascii_case(&email)) {
                        Some((_, reason)) => self.fail(*rowid, reason.clone()),
                        None => set_done(&mut self.content, *rowid, true),
                    }
                }
            }
            Answer::NotMe => {
                self.refused.add(&offer.rowids, offer.transport);
            }
            Answer::Cancel(reason) => {
                for rowid in &offer.rowids {
                    self.fail(*rowid, reason.clone());
                }
            }
            Answer::Transient {
                error,
                retry_after_ms,
                outcome_unknown,
            } => {
                super::push_once(&mut self.unavailable, offer.transport);
                let unknown = outcome_unknown || self.transient.as_ref().is_some_and(|t| t.2);
                self.transient = Some((error, retry_after_ms, unknown));
            }
        }
    }

    /// How the attempt ends, once `next_offers` has nothing more (or the store closed).
    pub fn outcome(self) -> Outcome {
        let pending = self.content.recipients.iter().any(|r| !is_done(r));
        match (pending, self.transient) {
            (false, _) => Outcome::Finish {
                content: self.content,
                failed: self.failed,
            },
            (true, Some((error, retry_after_ms, outcome_unknown))) => Outcome::Retry {
                content: self.content,
                failed: self.failed,
                error,
                retry_after_ms,
                outcome_unknown,
            },
            (true, None) => Outcome::Release {
                content: self.content,
                failed: self.failed,
            },
        }
    }
}
