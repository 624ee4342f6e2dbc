//! When `flush()` resolves, rejects, or waits for the spooler's next step (SPEC §5): a state
//! machine without I/O, fed with what the binding reads each round.

use crate::error::Error;
use crate::mapi_err;

/// What the binding sees at one round of `flush()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlushView {
    /// A queued message is due now (for any transport).
    pub due: bool,
    /// This store object's spooler has no pass running and no send in flight.
    pub idle: bool,
    /// The database is shared with other store objects (tabs), any of which may send.
    pub shared: bool,
    /// Something in this store object can send (a transport, a spooler that runs).
    pub can_send: bool,
    /// Attempts this store object's spooler has started so far.
    pub started: u64,
}

/// What to do next.
#[derive(Debug, Clone, PartialEq)]
pub enum FlushStep {
    /// Resolve: nothing due is left to this store's spoolers.
    Done,
    /// Reject with this error.
    Fail(Error),
    /// Read whether any queued message is locked by a transport (in any tab), and call
    /// `Flush::held`.
    CheckHeld,
    /// Wait for the spooler's next step; `kick` it first when it is idle (a busy one steps
    /// on its own, and pushing it would spin without progress).
    Wait { kick: bool },
}

/// The state of one `flush()` call.
#[derive(Debug, Default)]
pub struct Flush {
    /// Rounds in a row that found messages due, the spooler idle, and no attempt started
    /// since the round before.
    idle_passes: u32,
    /// `started` at the last such round.
    last_started: Option<u64>,
}

impl Flush {
    pub fn step(&mut self, v: FlushView) -> FlushStep {
        if v.shared {
            // Any tab may be sending: done when nothing is due and nothing is held by a
            // transport anywhere (the whole queue is read only then). Other tabs' events
            // wake the wait.
            if !v.due && v.idle {
                return FlushStep::CheckHeld;
            }
            return FlushStep::Wait { kick: v.idle };
        }
        if !v.due && v.idle {
            return FlushStep::Done;
        }
        if v.due && v.idle && !v.can_send {
            return FlushStep::Fail(mapi_err!(
                NoSupport,
                "flush: queued messages are due but nothing in this store can send them (no \
                 transport is registered, or the spooler is off)"
            ));
        }
        // A pass that ends idle with messages still due, having started no attempt, found
        // nothing it may take: they are for address types no transport of this store takes.
        if v.due && v.idle {
            self.idle_passes = if self.last_started == Some(v.started) {
                self.idle_passes + 1
            } else {
                1
            };
            self.last_started = Some(v.started);
        } else {
            self.idle_passes = 0;
            self.last_started = None;
        }
        if self.idle_passes > 1 {
            return FlushStep::Fail(mapi_err!(
                NoSupport,
                "flush: queued messages are due for address types no transport of this store \
                 takes"
            ));
        }
        FlushStep::Wait { kick: v.idle }
    }

    /// After `CheckHeld`: done unless a transport holds a message somewhere.
    pub fn held(&mut self, held: bool, idle: bool) -> FlushStep {
        if held {
            FlushStep::Wait { kick: idle }
        } else {
            FlushStep::Done
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MapiCode;

    fn view(due: bool, idle: bool, shared: bool, can_send: bool) -> FlushView {
        FlushView {
            due,
            idle,
            shared,
            can_send,
            started: 0,
        }
    }

    #[test]
    fn nothing_due_and_an_idle_spooler_is_done() {
        assert_eq!(
            Flush::default().step(view(false, true, false, true)),
            FlushStep::Done
        );
    }

    #[test]
    fn a_busy_spooler_is_waited_for_without_a_kick() {
        let mut f = Flush::default();
        assert_eq!(
            f.step(view(true, false, false, true)),
            FlushStep::Wait { kick: false }
        );
        assert_eq!(
            f.step(view(false, false, false, true)),
            FlushStep::Wait { kick: false }
        );
    }

    #[test]
    fn due_messages_with_nothing_to_send_them_fail_at_once() {
        let s = Flush::default().step(view(true, true, false, false));
        assert!(matches!(s, FlushStep::Fail(e) if e.code == MapiCode::NoSupport));
    }

    #[test]
    fn due_messages_no_transport_takes_fail_after_a_second_idle_round() {
        let mut f = Flush::default();
        assert_eq!(
            f.step(view(true, true, false, true)),
            FlushStep::Wait { kick: true }
        );
        let s = f.step(view(true, true, false, true));
        assert!(matches!(s, FlushStep::Fail(e) if e.message.contains("address types")));
    }

    #[test]
    fn an_attempt_started_between_two_idle_rounds_is_progress() {
        let mut f = Flush::default();
        f.step(view(true, true, false, true));
        let later = FlushView {
            started: 1,
            ..view(true, true, false, true)
        };
        assert_eq!(f.step(later), FlushStep::Wait { kick: true });
        let s = f.step(later);
        assert!(matches!(s, FlushStep::Fail(_)), "then none again: stuck");
    }

    #[test]
    fn a_busy_round_between_resets_the_idle_count() {
        let mut f = Flush::default();
        f.step(view(true, true, false, true));
        f.step(view(true, false, false, true));
        assert_eq!(
            f.step(view(true, true, false, true)),
            FlushStep::Wait { kick: true }
        );
    }

    #[test]
    fn on_a_shared_database_it_is_done_only_when_no_tab_holds_a_message() {
        let mut f = Flush::default();
        assert_eq!(f.step(view(false, true, true, true)), FlushStep::CheckHeld);
        assert_eq!(f.held(true, true), FlushStep::Wait { kick: true });
        assert_eq!(f.held(false, true), FlushStep::Done);
        // Another tab sends what is due: this one just waits, never fails.
        assert_eq!(
            f.step(view(true, true, true, false)),
            FlushStep::Wait { kick: true }
        );
    }
}
