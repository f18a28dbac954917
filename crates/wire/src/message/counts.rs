//! BGP messages counted per type: one direction of one connection, as
//! the session worker counts them and `show neighbor` prints them.

use serde::{Deserialize, Serialize};

/// BGP messages counted per type, one direction of one connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageCounts {
    pub open: u64,
    pub update: u64,
    pub notification: u64,
    pub keepalive: u64,
    /// ROUTE-REFRESH.
    pub refresh: u64,
    /// Operational and any other type.
    pub other: u64,
}

impl MessageCounts {
    /// Counts one message of BGP type `kind` (1 OPEN .. 5 ROUTE-REFRESH).
    pub fn count(&mut self, kind: u8) {
        let slot = match kind {
            1 => &mut self.open,
            2 => &mut self.update,
            3 => &mut self.notification,
            4 => &mut self.keepalive,
            5 => &mut self.refresh,
            _ => &mut self.other,
        };
        *slot = slot.saturating_add(1);
    }

    /// Every message counted.
    pub fn total(&self) -> u64 {
        self.open
            .saturating_add(self.update)
            .saturating_add(self.notification)
            .saturating_add(self.keepalive)
            .saturating_add(self.refresh)
            .saturating_add(self.other)
    }
}
