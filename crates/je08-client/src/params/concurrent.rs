//! Another writer on the same meter: settings registers (9–19) outside a
//! change's plan that no longer hold what the change was planned from.
//! Found before writing, nothing is written; found on read-back, they are
//! left as the other writer set them. Either way it is said, never undone.

use crate::endpoint::Endpoint;
use crate::texts::ClientMsg;
use je08_protocol::codec::RegisterBlock;
use je08_protocol::i18n::{Describe, Tr};
use je08_protocol::registers::label;
use je08_protocol::validate::WritePlan;

use super::SETTINGS_REGISTERS;

/// One settings register another writer changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegisterChange {
    /// Register address (9–19).
    pub addr: u16,
    /// The value the change was planned from.
    pub expected: u16,
    /// The value the meter holds.
    pub found: u16,
}

/// Settings registers another client changed while a settings change was
/// planned or written; said in words by its [`Describe`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConcurrentChange {
    /// The meter.
    pub meter: Endpoint,
    /// Every register outside the plan that differs, by address.
    pub changes: Vec<RegisterChange>,
    /// The requested registers were written (the difference was found on
    /// read-back); `false`: nothing was written.
    pub written: bool,
}

impl ConcurrentChange {
    /// The registers of 9–19 that `plan` does not write and where `found`
    /// differs from `expected`; `None` when there is none.
    pub fn find(
        meter: &Endpoint,
        plan: &WritePlan,
        expected: &RegisterBlock,
        found: &RegisterBlock,
        written: bool,
    ) -> Option<Self> {
        let planned = |addr: u16| plan.writes().iter().any(|(a, _)| *a == addr);
        let changes: Vec<RegisterChange> = SETTINGS_REGISTERS
            .filter(|addr| !planned(*addr) && expected.get(*addr) != found.get(*addr))
            .map(|addr| RegisterChange {
                addr,
                expected: expected.get(addr),
                found: found.get(addr),
            })
            .collect();
        (!changes.is_empty()).then(|| Self {
            meter: meter.clone(),
            changes,
            written,
        })
    }
}

impl Describe for ConcurrentChange {
    fn describe(&self, tr: Tr) -> String {
        let registers: Vec<String> = self
            .changes
            .iter()
            .map(|c| {
                tr.f(
                    ClientMsg::ConcurrentRegister,
                    &[
                        &c.addr.to_string(),
                        &label(c.addr),
                        &c.expected.to_string(),
                        &c.found.to_string(),
                    ],
                )
            })
            .collect();
        let sentence = if self.written {
            ClientMsg::ConcurrentAfterWrite
        } else {
            ClientMsg::ConcurrentBeforeWrite
        };
        tr.f(sentence, &[&self.meter.to_string(), &registers.join("; ")])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use je08_protocol::i18n::Lang;

    #[test]
    fn only_registers_outside_the_plan_count() {
        let meter = Endpoint::parse("10.0.0.7", 502).unwrap();
        let mut expected = RegisterBlock::default();
        for a in SETTINGS_REGISTERS {
            expected.set(a, 1000);
        }
        let mut found = expected;
        found.set(10, 1100);
        found.set(16, 120);
        let plan = WritePlan::new(&[(16, 120)]).unwrap();
        assert!(ConcurrentChange::find(&meter, &plan, &expected, &expected, false).is_none());
        let change = ConcurrentChange::find(&meter, &plan, &expected, &found, false).unwrap();
        assert_eq!(
            change.changes,
            [RegisterChange {
                addr: 10,
                expected: 1000,
                found: 1100
            }]
        );
        let en = change.describe(Tr(Lang::En));
        assert!(
            en.contains("10.0.0.7:502") && en.contains("register 10") && en.contains("1100"),
            "{en}"
        );
        assert!(en.contains("nothing was written") && en.contains("retry"), "{en}");
        let pt = change.describe(Tr(Lang::PtBr));
        assert!(
            pt.contains("10.0.0.7:502") && pt.contains("1100") && pt != en,
            "{pt}"
        );
    }
}
